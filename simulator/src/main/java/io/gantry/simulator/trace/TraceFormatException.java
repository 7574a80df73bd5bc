package io.gantry.simulator.trace;

import java.util.Objects;
import java.util.Optional;

/**
 * A trace file that does not say what its format promises. The message always names the file and the
 * 1-based line (the header is line 1) and, when one column is at fault, the column, for example
 * {@code openb_pod_list_default.csv:17: column num_gpu: expected an integer 0..16, got "x"}.
 */
public final class TraceFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String column;
    private final String detail;

    /**
     * @param file   the file name as shown in messages
     * @param line   1-based line number, the header being line 1
     * @param column the column at fault, or {@code null} when the problem is the whole line
     * @param detail what was expected and what was found
     */
    public TraceFormatException(String file, int line, String column, String detail) {
        super(file + ":" + line + ": " + (column == null ? "" : "column " + column + ": ") + detail);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.column = column;
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public String file() {
        return file;
    }

    /** 1-based, counting the header as line 1. */
    public int line() {
        return line;
    }

    /** The column at fault; empty when the problem concerns the whole line (for example its width). */
    public Optional<String> column() {
        return Optional.ofNullable(column);
    }

    /** The message without the location prefix. */
    public String detail() {
        return detail;
    }
}
