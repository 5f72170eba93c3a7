/** Small helpers for writing CloudFormation intrinsic functions as plain JSON. */
export type Cfn = unknown;

export const ref = (id: string): Cfn => ({ Ref: id });
export const getAtt = (id: string, attr: string): Cfn => ({ 'Fn::GetAtt': [id, attr] });
export const sub = (s: string): Cfn => ({ 'Fn::Sub': s });

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: Cfn[];
}

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: 'Retain' | 'Delete';
  UpdateReplacePolicy?: 'Retain' | 'Delete';
  DependsOn?: string[];
}
