import sanitizeHtml from "sanitize-html";

export interface SanitizedHtml {
  html: string;
  /** The mail asked for something from the network (image, background, ...) that was left out. */
  hasRemoteContent: boolean;
}

export interface SanitizeOptions {
  /** Keep remote http(s) images (the user allowed them for this message or sender). */
  loadRemote?: boolean;
}

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
      img: ["src", "alt", "width", "height"],
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
        const src = attribs.src ?? "";
        if (remoteUrl.test(src)) {
          hasRemoteContent = true;
          if (!options.loadRemote) {
            const { src: _dropped, ...rest } = attribs;
            return { tagName, attribs: rest };
          }
        }
        if (/^\s*data:/i.test(src) && !/^\s*data:image\/(?:png|gif|jpe?g|webp);/i.test(src)) {
          const { src: _dropped, ...rest } = attribs;
          return { tagName, attribs: rest };
        }
        return { tagName, attribs };
      },
    },
    // An image left without a source has nothing to show.
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src,
  });
  return { html: clean, hasRemoteContent };
}
