export function greeting(name: string | null): string {
  const who = name && name.trim() ? name.trim() : 'world';
  return `Hello, ${who}! (rendered by the compiled client)`;
}
