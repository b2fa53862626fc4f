import { Link } from "@tanstack/react-router";

/** The line under a signed-out page's card pointing to where the visitor may have meant to go. */
export function ElsewhereLink({
  prompt,
  to,
  children,
}: {
  prompt: string;
  to: "/sign-in" | "/sign-up";
  children: string;
}) {
  return (
    <p className="text-center text-sm text-muted">
      {prompt}{" "}
      <Link to={to} className="font-semibold">
        {children}
      </Link>
    </p>
  );
}
