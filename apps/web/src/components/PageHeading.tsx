import { type ReactNode, useEffect, useRef } from "react";

/**
 * The page's h1. It takes focus when the page appears, so keyboard and screen reader users land
 * at the start of the new content after a client-side navigation instead of on a vanished link.
 */
export function PageHeading({ children, description }: { children: ReactNode; description?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div className="grid gap-1">
      <h1 ref={ref} tabIndex={-1} className="text-2xl font-semibold tracking-tight sm:text-3xl">
        {children}
      </h1>
      {description && <p className="text-muted">{description}</p>}
    </div>
  );
}
