import type { ReactNode } from "react";
import { PageHeading } from "../../components/PageHeading.tsx";

/** A signed-out page in the centred column: its heading, with an optional line under it, then the rest. */
export function AuthPage({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <div className="grid gap-6">
      <PageHeading description={description}>{title}</PageHeading>
      {children}
    </div>
  );
}
