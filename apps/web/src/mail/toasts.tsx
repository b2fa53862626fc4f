import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

export interface ToastInput {
  message: string;
  tone?: "info" | "error";
  /** One button, such as "Undo"; pressing it closes the toast. */
  action?: { label: string; run: () => void };
  /** How long it stays, in milliseconds; errors stay a little longer by default. */
  durationMs?: number;
}

interface Toast extends ToastInput {
  id: number;
}

interface Toaster {
  show(toast: ToastInput): number;
  dismiss(id: number): void;
}

const ToastContext = createContext<Toaster | null>(null);

export function useToasts(): Toaster {
  const toaster = useContext(ToastContext);
  if (!toaster) throw new Error("useToasts needs a ToastProvider above it");
  return toaster;
}

/** Short messages at the bottom of the screen, announced to screen readers as they appear. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((toast) => toast.id !== id)), []);
  const show = useCallback((toast: ToastInput) => {
    const id = nextId.current++;
    // At most three at once: older ones make way.
    setToasts((all) => [...all.slice(-2), { ...toast, id }]);
    return id;
  }, []);
  const toaster = useMemo(() => ({ show, dismiss }), [show, dismiss]);
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <section
        aria-label="Notifications"
        className="pointer-events-none fixed inset-x-0 bottom-4 z-[60] flex flex-col items-center gap-2 px-4 sm:right-6 sm:left-auto sm:items-end"
      >
        <ul aria-live="polite" className="grid gap-2">
          {toasts.map((toast) => (
            <ToastItem key={toast.id} toast={toast} onDone={() => dismiss(toast.id)} />
          ))}
        </ul>
      </section>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDone }: { toast: Toast; onDone: () => void }) {
  const duration = toast.durationMs ?? (toast.tone === "error" ? 8_000 : 5_000);
  // The latest callback, so a re-render does not restart the timer.
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    const timer = setTimeout(() => done.current(), duration);
    return () => clearTimeout(timer);
  }, [duration]);
  return (
    <li
      role={toast.tone === "error" ? "alert" : "status"}
      data-testid="toast"
      className={`pointer-events-auto flex min-w-72 max-w-md items-center gap-3 rounded-xl px-4 py-3 text-sm shadow-lg ${
        toast.tone === "error" ? "bg-danger text-white dark:text-black" : "bg-fg text-bg"
      }`}
    >
      <span className="flex-1">{toast.message}</span>
      {toast.action && (
        <button
          type="button"
          className="rounded-md px-2 py-1 font-semibold underline-offset-2 hover:underline"
          onClick={() => {
            toast.action?.run();
            onDone();
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button
        type="button"
        aria-label="Dismiss"
        className="rounded-md px-1.5 py-0.5 opacity-80 hover:opacity-100"
        onClick={onDone}
      >
        ×
      </button>
    </li>
  );
}
