import { Link, Outlet } from "@tanstack/react-router";
import { useUser } from "../../auth/use-session.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Card } from "../../components/ui.tsx";

/**
 * The admin pages, for admins; anyone else is told plainly where they are and why they see
 * nothing, rather than sent elsewhere without a word. The server refuses them the data anyway.
 */
export function AdminOnly() {
  const user = useUser();
  if (user.role === "admin") return <Outlet />;
  return (
    <>
      <PageHeading description="This page is part of the server's administration.">Admins only</PageHeading>
      <Card className="grid gap-3">
        <p>
          Only administrators can open this page, and your account is not one. If you need it, ask whoever runs this
          Tidings server.
        </p>
        <Link to="/dashboard" className="font-semibold">
          Back to your overview
        </Link>
      </Card>
    </>
  );
}
