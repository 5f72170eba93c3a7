// GitHub-style page/per_page pagination with a Link header, so Octokit's paginate() works.

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

export function paginate<T>(all: T[], url: URL): Page<T> {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string) => {
    const u = new URL(url);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) rels.push(link(page + 1, 'next'), link(last, 'last'));
  return { items, headers: rels.length > 0 ? { link: rels.join(', ') } : {} };
}
