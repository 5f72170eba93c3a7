import { z } from 'zod';

/** GitHub's check-run annotation object, as the runner finds them in the log. */
export const CheckRunAnnotationSchema = z.object({
  path: z.string().min(1).max(1024),
  start_line: z.number().int().positive(),
  end_line: z.number().int().positive(),
  start_column: z.number().int().positive().optional(),
  end_column: z.number().int().positive().optional(),
  annotation_level: z.enum(['failure', 'warning', 'notice']),
  title: z.string().max(255),
  message: z.string().max(64 * 1024),
  raw_details: z.string().max(64 * 1024).optional(),
});
export type CheckRunAnnotation = z.infer<typeof CheckRunAnnotationSchema>;
/** Annotations a finished job may report (the control plane pages them, 50 per request). */
export const MAX_REPORTED_ANNOTATIONS = 200;

/** What a runner reports of a finished run, for the control plane to show (check run, UI). */
export const JobReportSchema = z.object({
  annotations: z.array(CheckRunAnnotationSchema).max(MAX_REPORTED_ANNOTATIONS).default([]),
  cacheHits: z.number().int().nonnegative().optional(),
  cacheMisses: z.number().int().nonnegative().optional(),
  timedOut: z.boolean().optional(),
});
export type JobReport = z.infer<typeof JobReportSchema>;
