let compileCount = 0;

/** How many times the MJML compiler has run in this process; sending should never add to it. */
export function mjmlCompileCount(): number {
  return compileCount;
}

/** Compiles an MJML document to HTML, failing on any MJML validation error. */
export async function compileMjml(source: string): Promise<string> {
  compileCount += 1;
  // Loaded on first compile: code that only needs the template names or schemas does not pay for
  // MJML's dependency tree.
  const { default: mjml2html } = await import("mjml");
  const { html } = await mjml2html(source, {
    validationLevel: "strict",
    keepComments: false,
    // No web fonts: the layout uses the system font stack, and remote fonts leak opens.
    fonts: {},
  });
  return html;
}
