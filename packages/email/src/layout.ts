/** The shared frame of every email, and the building blocks the templates are written with. */

export const slot = (name: string) => `{{${name}}}`;

const brandColor = "#4f46e5";
const mutedColor = "#6b7280";
const fontStack = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/** The whole MJML document: header with the product name, the message card, then the footer. */
export function mjmlDocument(parts: { preview: string; body: string; reason: string }): string {
  return `<mjml lang="en">
  <mj-head>
    <mj-title>${slot("subject")}</mj-title>
    <mj-preview>${parts.preview}</mj-preview>
    <mj-attributes>
      <mj-all font-family="${fontStack}" />
      <mj-text font-size="16px" line-height="24px" color="#1f2937" padding="0 0 16px 0" />
      <mj-button background-color="${brandColor}" color="#ffffff" font-size="16px" font-weight="600" border-radius="6px" inner-padding="12px 24px" align="left" padding="8px 0 16px 0" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f3f4f6" width="600px">
    <mj-section padding="32px 24px 16px 24px">
      <mj-column>
        <mj-text font-size="22px" line-height="28px" font-weight="700" color="${brandColor}" padding="0">Tidings</mj-text>
      </mj-column>
    </mj-section>
    <mj-section background-color="#ffffff" border-radius="8px" padding="32px 32px 16px 32px">
      <mj-column>
        <mj-text>${slot("greeting")}</mj-text>
        ${parts.body}
      </mj-column>
    </mj-section>
    <mj-section padding="16px 24px 32px 24px">
      <mj-column>
        <mj-text font-size="13px" line-height="20px" color="${mutedColor}" padding="0 0 8px 0">${parts.reason}</mj-text>
        <mj-text font-size="13px" line-height="20px" color="${mutedColor}" padding="0">Tidings &middot; This is an automated message, so replies to it are not read.</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
}

/** The plain-text part: greeting, message, then the same footer as the HTML. */
export function textDocument(parts: { body: string; reason: string }): string {
  return `${slot("greeting")}

${parts.body.trim()}

-- 
${parts.reason}
Tidings. This is an automated message, so replies to it are not read.
`;
}

export function paragraph(html: string): string {
  return `<mj-text>${html}</mj-text>`;
}

export function note(html: string): string {
  return `<mj-text font-size="14px" line-height="22px" color="${mutedColor}">${html}</mj-text>`;
}

/** A button, and the same link written out for clients that hide or break buttons. */
export function actionButton(label: string, urlSlot: string): string {
  const url = slot(urlSlot);
  return `<mj-button href="${url}">${label}</mj-button>
        <mj-text font-size="13px" line-height="20px" color="${mutedColor}">If the button doesn't work, copy this link into your browser:<br /><a href="${url}" style="color: ${brandColor}; word-break: break-all;">${url}</a></mj-text>`;
}

export function textAction(label: string, urlSlot: string): string {
  return `${label}:\n${slot(urlSlot)}`;
}

const detailLabelStyle = `color: ${mutedColor}; width: 1%; padding: 4px 24px 4px 0; vertical-align: top; white-space: nowrap;`;
const detailValueStyle = "padding: 4px 0; vertical-align: top; word-break: break-word;";

/** When, from which address and on which device something happened, so the reader can tell if it was them. */
export const activityDetails = `<mj-table font-size="14px" line-height="20px" color="#1f2937" padding="0 0 16px 0">
          <tr><td style="${detailLabelStyle}">When</td><td style="${detailValueStyle}">${slot("at")}</td></tr>
          <tr><td style="${detailLabelStyle}">IP address</td><td style="${detailValueStyle}">${slot("ip")}</td></tr>
          <tr><td style="${detailLabelStyle}">Device</td><td style="${detailValueStyle}">${slot("userAgent")}</td></tr>
        </mj-table>`;

export const textActivityDetails = `When:       ${slot("at")}
IP address: ${slot("ip")}
Device:     ${slot("userAgent")}`;
