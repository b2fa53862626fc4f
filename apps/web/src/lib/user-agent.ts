export interface DeviceDescription {
  browser: string;
  os: string;
  kind: "phone" | "tablet" | "desktop" | "unknown";
}

const browsers: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/OPR\/(\d+)/, "Opera"],
  [/Firefox\/(\d+)/, "Firefox"],
  [/HeadlessChrome\/(\d+)/, "Headless Chrome"],
  [/(?:Chrome|CriOS)\/(\d+)/, "Chrome"],
  [/Version\/(\d+).*Safari\//, "Safari"],
  [/curl\/([\d.]+)/, "curl"],
  [/node|undici/i, "Node.js"],
];

const systems: [RegExp, string][] = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

/** A readable "Chrome 120 on macOS" from a user agent string; enough for people to recognise a device. */
export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  if (!userAgent) return { browser: "Unknown browser", os: "unknown device", kind: "unknown" };
  let browser = "Unknown browser";
  for (const [pattern, name] of browsers) {
    const match = userAgent.match(pattern);
    if (match) {
      browser = match[1] && /^\d+$/.test(match[1]) ? `${name} ${match[1]}` : name;
      break;
    }
  }
  const os = systems.find(([pattern]) => pattern.test(userAgent))?.[1] ?? "unknown device";
  const kind = /iPad|Tablet/.test(userAgent)
    ? "tablet"
    : /Mobi|iPhone|Android/.test(userAgent)
      ? "phone"
      : os === "unknown device"
        ? "unknown"
        : "desktop";
  return { browser, os, kind };
}
