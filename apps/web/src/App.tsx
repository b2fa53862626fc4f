import { DevMailbox } from "./pages/DevMailbox.tsx";
import { Home } from "./pages/Home.tsx";

export function App() {
  // One page plus a dev tool for now; the signed-in app brings a real router.
  return window.location.pathname.startsWith("/dev/mailbox") ? <DevMailbox /> : <Home />;
}
