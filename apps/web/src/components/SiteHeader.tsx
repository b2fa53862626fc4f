import { Logo } from "./Logo.tsx";
import { ThemeToggle } from "./ThemeToggle.tsx";

/** The logo and theme toggle across the top of pages outside the signed-in shell. */
export function SiteHeader({ width }: { width: "max-w-6xl" | "max-w-7xl" }) {
  return (
    <header className={`mx-auto flex w-full ${width} items-center justify-between px-4 py-4 sm:px-6`}>
      <Logo />
      <ThemeToggle />
    </header>
  );
}
