// The connect form's fields, remembered in localStorage (which may be unavailable: private
// browsing, blocked storage — then nothing is remembered).
export interface Saved {
  nick: string;
  password: string;
}

const KEY = 'parlor.connect';

export function loadSaved(): Saved {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Saved>;
    return { nick: typeof data.nick === 'string' ? data.nick : '', password: typeof data.password === 'string' ? data.password : '' };
  } catch {
    return { nick: '', password: '' };
  }
}

export function save(saved: Saved): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(saved));
  } catch {
    // storage refused: the form simply starts empty next time
  }
}
