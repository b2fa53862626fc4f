import { Link } from "@tanstack/react-router";
import { PublicFrame } from "../components/AuthLayout.tsx";
import { PageHeading } from "../components/PageHeading.tsx";

/** Any unknown address: inside the site's frame, so the way back (logo, theme) is where it always is. */
export function NotFoundPage() {
  return (
    <PublicFrame>
      <div className="grid gap-4 pt-8 text-center">
        <p className="text-sm font-semibold text-link">404</p>
        <PageHeading>Page not found</PageHeading>
        <p className="text-muted">The page you are looking for does not exist or has moved.</p>
        <Link to="/" className="font-semibold">
          Go to the start page
        </Link>
      </div>
    </PublicFrame>
  );
}
