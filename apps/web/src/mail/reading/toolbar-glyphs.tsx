// Glyphs for the reading pane's toolbar: drawn like the app's other icons (components/icons.tsx),
// sized to sit beside a 14 px label.

const glyph = {
  viewBox: "0 0 24 24",
  width: 16,
  height: 16,
  stroke: "currentColor",
  strokeWidth: 2,
  strokeLinecap: "round",
  strokeLinejoin: "round",
} as const;

/** An outlined star, filled (in the app's warning amber) when the conversation is starred. */
export function StarGlyph({ filled }: { filled: boolean }) {
  return (
    <svg
      {...glyph}
      aria-hidden="true"
      focusable="false"
      fill={filled ? "currentColor" : "none"}
      className={filled ? "text-warning" : undefined}
    >
      <path d="m12 3 2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3l-5.6 2.9 1.1-6.2L3 9.6l6.2-.9z" />
    </svg>
  );
}

/** A left chevron for "back to the list": a drawn icon, so the gap after it is the layout's, not a font's. */
export function BackGlyph() {
  return (
    <svg {...glyph} aria-hidden="true" focusable="false" fill="none">
      <path d="m15 18-6-6 6-6" />
    </svg>
  );
}
