import { buffer } from "node:stream/consumers";
import { promisify } from "node:util";
import yauzl from "yauzl";

const openZip = promisify<Buffer, yauzl.Options, yauzl.ZipFile>(yauzl.fromBuffer);

/** Every file of a ZIP by name, read with yauzl (which checks each entry's CRC and size). */
export async function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  const archive = await openZip(zip, { lazyEntries: true });
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    archive.on("error", reject);
    archive.on("end", resolve);
    archive.on("entry", (entry: yauzl.Entry) => {
      archive
        .openReadStreamPromise(entry)
        .then((stream) => buffer(stream))
        .then((content) => {
          files.set(entry.fileName, content);
          archive.readEntry();
        }, reject);
    });
    archive.readEntry();
  });
  return files;
}

/**
 * The messages of an mboxrd file, as they were before quoting: split at each "From " line, the
 * separating blank line dropped, one ">" taken from each ">*From " line. Works on bytes (latin1).
 */
export function splitMboxrd(mbox: Buffer): Buffer[] {
  const text = mbox.toString("latin1");
  if (!text) return [];
  if (!text.startsWith("From ")) throw new Error("an mbox starts with a From line");
  return text.split(/\n(?=From )/).map((entry, index, all) => {
    const body = entry.slice(entry.indexOf("\n") + 1);
    // Each entry but the last lost its blank line's "\n" to the split; the last still has it.
    const message = index === all.length - 1 ? body.replace(/\n$/, "") : body;
    return Buffer.from(message.replace(/(^|\n)>(>*From )/g, "$1$2"), "latin1");
  });
}
