import sanitizeHtml from "sanitize-html";

export interface SanitizedHtml {
  html: string;
  /** The mail asked for something from the network (image, background, ...) that was left out. */
  hasRemoteContent: boolean;
}

export interface SanitizeOptions {
  /** Keep remote http(s) images (the user allowed them for this message or sender). */
  loadRemote?: boolean;
  /**
   * Keep a blocked image's address in `data-remote-src` (which loads nothing), so the stored HTML
   * can later be shown with the image allowed (allowRemoteImages) without fetching the mail again.
   */
  keepBlockedSources?: boolean;
}

/** Where a blocked remote image keeps its address in stored HTML. */
const BLOCKED_SOURCE = "data-remote-src";

const remoteUrl = /^\s*(?:https?:)?\/\//i;

// Plain presentational CSS only: anything that can name a URL (url(), @import, image-set) or run
// code (expression()) is not one of these properties or does not match these values.
const safeCssValue = /^(?!.*(?:url\s*\(|expression\s*\(|image-set|@import|javascript:|\\)).*$/i;
const allowedStyleProperties = [
  "color",
  "background-color",
  "font-family",
  "font-size",
  "font-style",
  "font-weight",
  "text-align",
  "text-decoration",
  "line-height",
  "margin",
  "margin-top",
  "margin-bottom",
  "margin-left",
  "margin-right",
  "padding",
  "padding-top",
  "padding-bottom",
  "padding-left",
  "padding-right",
  "border",
  "border-collapse",
  "width",
  "max-width",
  "height",
  "vertical-align",
  "white-space",
  "display",
];

/**
 * Sanitizes an HTML mail for display (S26): no script, event handler, form, iframe, object, meta
 * refresh, style sheet, `javascript:` or non-image `data:` URL; remote images are dropped (and
 * reported) unless `loadRemote`, so tracking pixels do not fire when the message is opened.
 */
export function sanitizeMailHtml(html: string, options: SanitizeOptions = {}): SanitizedHtml {
  let hasRemoteContent = false;
  const clean = sanitizeHtml(html, {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags,
      "img",
      "font",
      "center",
      "span",
      "div",
      "table",
      "thead",
      "tbody",
      "tfoot",
      "tr",
      "td",
      "th",
      "caption",
      "colgroup",
      "col",
    ],
    disallowedTagsMode: "discard",
    allowedAttributes: {
      "*": ["style", "align", "valign", "width", "height", "dir", "lang", "title", "class"],
      a: ["href", "name", "target", "rel"],
      img: ["src", "alt", "width", "height", ...(options.keepBlockedSources ? [BLOCKED_SOURCE] : [])],
      font: ["color", "face", "size"],
      table: ["border", "cellpadding", "cellspacing", "bgcolor"],
      td: ["colspan", "rowspan", "bgcolor"],
      th: ["colspan", "rowspan", "bgcolor"],
      col: ["span"],
    },
    allowedSchemes: ["http", "https", "mailto", "tel"],
    allowedSchemesByTag: { img: ["http", "https", "cid", "data"] },
    allowProtocolRelative: false,
    allowedStyles: { "*": Object.fromEntries(allowedStyleProperties.map((name) => [name, [safeCssValue]])) },
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, target: "_blank", rel: "noopener noreferrer nofollow" },
      }),
      img: (tagName, attribs) => {
        const { [BLOCKED_SOURCE]: blocked, ...own } = attribs;
        // An address set aside when the mail was stored comes back once remote content is allowed.
        const src = own.src ?? (options.loadRemote && blocked ? blocked : "");
        attribs = src ? { ...own, src } : own;
        if (remoteUrl.test(src)) {
          hasRemoteContent = true;
          if (!options.loadRemote) {
            const { src: _dropped, ...rest } = attribs;
            return { tagName, attribs: options.keepBlockedSources ? { ...rest, [BLOCKED_SOURCE]: src } : rest };
          }
        }
        if (/^\s*data:/i.test(src) && !/^\s*data:image\/(?:png|gif|jpe?g|webp);/i.test(src)) {
          const { src: _dropped, ...rest } = attribs;
          return { tagName, attribs: rest };
        }
        return { tagName, attribs };
      },
    },
    // An image left without a source has nothing to show (a kept blocked source may show later).
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src && !frame.attribs[BLOCKED_SOURCE],
  });
  return { html: clean, hasRemoteContent };
}

/**
 * The HTML of a stored message (sanitized with `keepBlockedSources` when it was synced) as the API
 * shows it: sanitized once more, remote images blocked and their kept addresses dropped, or with
 * `loadRemote` those addresses put back as sources. Mail stored before addresses were kept has
 * nothing to put back: its remote images stay out.
 */
export function showStoredMailHtml(stored: string, options: { loadRemote?: boolean } = {}): string {
  return sanitizeMailHtml(stored, { loadRemote: options.loadRemote === true }).html;
}
