package io.gantry.simulator.trace;

/**
 * A trace record rejected by its own validation. It names the trace column at fault so that a reader
 * can turn it into a {@link TraceFormatException} pointing at the right place; callers building records
 * directly just see an {@link IllegalArgumentException}.
 */
final class InvalidTraceFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String column;
    private final String detail;

    InvalidTraceFieldException(String objectName, String column, String detail) {
        super(objectName + ": column " + column + ": " + detail);
        this.column = column;
        this.detail = detail;
    }

    String column() {
        return column;
    }

    String detail() {
        return detail;
    }
}
