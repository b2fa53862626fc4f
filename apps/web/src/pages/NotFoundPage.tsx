import { Link } from "@tanstack/react-router";
import { PageHeading } from "../components/PageHeading.tsx";

export function NotFoundPage() {
  return (
    <main className="mx-auto grid max-w-md gap-4 px-4 py-24 text-center">
      <p className="text-sm font-semibold text-link">404</p>
      <PageHeading>Page not found</PageHeading>
      <p className="text-muted">The page you are looking for does not exist or has moved.</p>
      <Link to="/" className="font-semibold">
        Go to the start page
      </Link>
    </main>
  );
}
