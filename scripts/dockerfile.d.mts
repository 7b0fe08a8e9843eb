export function dockerfileStages(text?: string): Record<string, string>;
export function imageRuntime(text?: string): { env: Record<string, string>; command: string[] };
