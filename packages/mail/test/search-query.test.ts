import { describe, expect, it } from "vitest";
import { parseSearchQuery, SearchQueryError } from "../src/index.ts";

describe("search query parser", () => {
  it("reads every operator, phrases and words", () => {
    expect(
      parseSearchQuery(
        'From:ann@example.test to:"Bob Smith" subject:invoice has:attachment is:UNREAD before:2026-12-01 after:2026/11/5 "exact phrase" plain words',
      ),
    ).toEqual({
      words: ["plain", "words"],
      phrases: ["exact phrase"],
      from: ["ann@example.test"],
      to: ["Bob Smith"],
      subject: ["invoice"],
      hasAttachment: true,
      unread: true,
      before: new Date("2026-12-01T00:00:00Z"),
      after: new Date("2026-11-05T00:00:00Z"),
    });
  });

  it("keeps repeated operators and searches unknown ones as text", () => {
    const query = parseSearchQuery('from:a from:b http://example.test label:work "unclosed phrase');
    expect(query.from).toEqual(["a", "b"]);
    expect(query.words).toEqual(["http://example.test", "label:work"]);
    expect(query.phrases).toEqual(["unclosed phrase"]);
  });

  it("answers an empty query with nothing to match on", () => {
    expect(parseSearchQuery("   ")).toMatchObject({ words: [], phrases: [], from: [], before: null });
  });

  it.each([
    ["before:yesterday", "before:"],
    ["after:2026-02-30", "after:"],
    ["has:pdf", "has:"],
    ["is:spam", "is:"],
    ['from:""', "from:"],
    ["x".repeat(1_001), "query"],
    [Array.from({ length: 51 }, (_, i) => `w${i}`).join(" "), "query"],
  ])("refuses %j naming %s", (input, operator) => {
    let caught: unknown;
    try {
      parseSearchQuery(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SearchQueryError);
    expect((caught as SearchQueryError).operator).toBe(operator);
    expect((caught as SearchQueryError).message).toContain(operator);
  });
});
