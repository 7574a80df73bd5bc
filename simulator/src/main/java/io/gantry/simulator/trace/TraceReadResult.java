package io.gantry.simulator.trace;

import java.util.List;

/**
 * What a trace reader returns: the items in file order and, when bad lines were skipped, how many and
 * the messages of the first few.
 *
 * @param items        the parsed items, in file order
 * @param skippedLines how many malformed lines were skipped; always 0 for a strict reader
 * @param firstErrors  messages of the first {@value #MAX_REPORTED_ERRORS} skipped lines, in file order
 * @param <T>          the item type
 */
public record TraceReadResult<T>(List<T> items, int skippedLines, List<String> firstErrors) {

    /** How many error messages are kept; past that only the count grows, so a bad file costs little. */
    public static final int MAX_REPORTED_ERRORS = 10;

    public TraceReadResult {
        items = List.copyOf(items);
        firstErrors = List.copyOf(firstErrors);
        if (skippedLines < 0) {
            throw new IllegalArgumentException("skippedLines must be >= 0, got " + skippedLines);
        }
        if (firstErrors.size() > Math.min(skippedLines, MAX_REPORTED_ERRORS)) {
            throw new IllegalArgumentException("firstErrors holds " + firstErrors.size()
                    + " messages for " + skippedLines + " skipped lines (at most " + MAX_REPORTED_ERRORS + " kept)");
        }
    }

    /** True when no line was skipped. */
    public boolean isClean() {
        return skippedLines == 0;
    }
}
