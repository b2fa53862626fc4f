import { Fragment } from "react";

/**
 * An email address that may wrap on a narrow screen: at its dots and its @ when it must (as
 * addresses are broken in print), never in the middle of a word unless one part alone is too wide.
 */
export function EmailAddress({ email, className = "" }: { email: string; className?: string }) {
  const parts = email.split(/(?=[.@])/);
  return (
    <span className={`wrap-anywhere ${className}`}>
      {parts.map((part, index) => (
        // The parts of one address never reorder, so their position is a stable key.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <Fragment key={index}>
          {index > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
