import { useCallback, useSyncExternalStore } from "react";

export type ThemePreference = "light" | "dark" | "system";
type Theme = "light" | "dark";

// The same key public/theme-init.js reads before the first paint.
const storageKey = "tidings-theme";
const darkQuery = typeof window === "undefined" ? undefined : window.matchMedia("(prefers-color-scheme: dark)");
const listeners = new Set<() => void>();

function readPreference(): ThemePreference {
  try {
    const stored = localStorage.getItem(storageKey);
    return stored === "light" || stored === "dark" ? stored : "system";
  } catch {
    return "system";
  }
}

function resolve(preference: ThemePreference): Theme {
  if (preference === "system") return darkQuery?.matches ? "dark" : "light";
  return preference;
}

function apply() {
  document.documentElement.dataset.theme = resolve(readPreference());
  for (const listener of listeners) listener();
}

darkQuery?.addEventListener("change", apply);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const currentTheme = (): Theme => (document.documentElement.dataset.theme === "dark" ? "dark" : "light");

export function useTheme() {
  const theme = useSyncExternalStore(subscribe, currentTheme);
  const setPreference = useCallback((preference: ThemePreference) => {
    try {
      if (preference === "system") localStorage.removeItem(storageKey);
      else localStorage.setItem(storageKey, preference);
    } catch {
      // Private modes may refuse storage; the choice then lasts for this page only.
      document.documentElement.dataset.theme = resolve(preference);
    }
    apply();
  }, []);
  return { theme, setPreference };
}
