package io.gantry.simulator.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The part of reading an openb CSV file that does not depend on what a line describes: the header,
 * line numbers, splitting, strict or skipping error handling, and duplicate names.
 *
 * <p>The openb files are plain comma-separated text without quoting (no field can hold a comma; GPU
 * model lists use {@code |}), so a line is split on commas. A double quote is rejected rather than
 * guessed at, so a file re-saved by a tool that quotes everything fails loudly instead of producing
 * names with quotes in them.
 */
final class OpenbCsv {

    private static final int MAX_SHOWN_VALUE_LENGTH = 40;

    private OpenbCsv() {
    }

    /**
     * Reads {@code file}.
     *
     * @param requiredColumns columns the header must name; others are optional or ignored
     * @param nameColumn      the column holding the unique name of each item
     * @param itemKind        "pod" or "node", for messages
     * @param toItem          turns one line into an item, throwing {@link TraceFormatException} when it can't
     * @throws TraceFormatException for a bad header, or for the first bad line unless {@code skipBadLines}
     * @throws NoSuchFileException  when the file does not exist; the message holds its absolute path
     */
    static <T> TraceReadResult<T> read(Path file, List<String> requiredColumns, String nameColumn, String itemKind,
                                       boolean skipBadLines, Function<Row, T> toItem) throws IOException {
        String fileName = displayName(file);
        try (BufferedReader reader = open(file)) {
            Map<String, Integer> columns = readHeader(fileName, reader.readLine(), requiredColumns);
            List<T> items = new ArrayList<>();
            Map<String, Integer> lineOfName = new HashMap<>();
            List<Integer> pendingBlankLines = new ArrayList<>();
            int skipped = 0;
            List<String> firstErrors = new ArrayList<>();
            int lineNumber = 1;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                lineNumber++;
                if (text.isBlank()) {
                    // Only known to be an error once more data follows: trailing blank lines are fine.
                    pendingBlankLines.add(lineNumber);
                    continue;
                }
                List<TraceFormatException> errors = new ArrayList<>();
                for (int blankLine : pendingBlankLines) {
                    errors.add(new TraceFormatException(fileName, blankLine, null, "blank line before the end of the data"));
                }
                pendingBlankLines.clear();
                try {
                    Row row = Row.split(fileName, lineNumber, text, columns);
                    T item = toItem.apply(row);
                    String name = row.text(nameColumn);
                    Integer firstLine = lineOfName.putIfAbsent(name, lineNumber);
                    if (firstLine != null) {
                        throw row.error(nameColumn,
                                "duplicate " + itemKind + " name \"" + name + "\", first seen on line " + firstLine);
                    }
                    items.add(item);
                } catch (TraceFormatException e) {
                    errors.add(e);
                }
                for (TraceFormatException error : errors) {
                    if (!skipBadLines) {
                        throw error;
                    }
                    skipped++;
                    if (firstErrors.size() < TraceReadResult.MAX_REPORTED_ERRORS) {
                        firstErrors.add(error.getMessage());
                    }
                }
            }
            return new TraceReadResult<>(items, skipped, firstErrors);
        }
    }

    private static BufferedReader open(Path file) throws IOException {
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            // The JDK's message is the path as given, which is relative to a working directory the
            // reader of the message rarely knows.
            NoSuchFileException clearer = new NoSuchFileException(
                    file.toAbsolutePath().normalize().toString(), null, "trace file not found");
            clearer.initCause(e);
            throw clearer;
        }
    }

    private static String displayName(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }

    private static Map<String, Integer> readHeader(String fileName, String header, List<String> requiredColumns) {
        String expected = String.join(",", requiredColumns);
        if (header == null || header.isBlank()) {
            throw new TraceFormatException(fileName, 1, null, "expected a header line with the columns " + expected
                    + ", got " + (header == null ? "an empty file" : "a blank line"));
        }
        // Some editors start a UTF-8 file with a byte-order mark, which would otherwise stick to the first name.
        String withoutBom = header.startsWith("\uFEFF") ? header.substring(1) : header;
        String[] names = withoutBom.split(",", -1);
        Map<String, Integer> columns = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            String name = names[i].trim();
            if (columns.putIfAbsent(name, i) != null) {
                throw new TraceFormatException(fileName, 1, name, "appears twice in the header");
            }
        }
        for (String required : requiredColumns) {
            if (!columns.containsKey(required)) {
                throw new TraceFormatException(fileName, 1, required,
                        "missing from the header (found " + String.join(",", columns.keySet()) + ")");
            }
        }
        return columns;
    }

    /** Quotes a raw value for a message, shortened so that a garbage line cannot flood a log. */
    private static String shown(String value) {
        String shortened = value.length() <= MAX_SHOWN_VALUE_LENGTH
                ? value
                : value.substring(0, MAX_SHOWN_VALUE_LENGTH) + "...";
        return "\"" + shortened + "\"";
    }

    /** One data line, its fields addressed by column name. */
    static final class Row {
        private final String file;
        private final int line;
        private final Map<String, Integer> columns;
        private final String[] fields;

        private Row(String file, int line, Map<String, Integer> columns, String[] fields) {
            this.file = file;
            this.line = line;
            this.columns = columns;
            this.fields = fields;
        }

        static Row split(String file, int line, String text, Map<String, Integer> columns) {
            if (text.indexOf('"') >= 0) {
                throw new TraceFormatException(file, line, null, "quoted fields are not supported in openb traces");
            }
            String[] fields = text.split(",", -1);
            if (fields.length != columns.size()) {
                throw new TraceFormatException(file, line, null,
                        "expected " + columns.size() + " columns as in the header, got " + fields.length);
            }
            return new Row(file, line, columns, Arrays.stream(fields).map(String::trim).toArray(String[]::new));
        }

        /** The field of {@code column}, trimmed; "" when the header has no such column. */
        String text(String column) {
            Integer index = columns.get(column);
            return index == null ? "" : fields[index];
        }

        String nonEmptyText(String column) {
            String value = text(column);
            if (value.isEmpty()) {
                throw error(column, "expected a non-empty value, got \"\"");
            }
            return value;
        }

        long longInRange(String column, long min, long max) {
            String value = text(column);
            String expectation = max == Long.MAX_VALUE && min == 0
                    ? "expected a non-negative integer"
                    : "expected an integer " + min + ".." + max;
            try {
                long parsed = Long.parseLong(value);
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below with the same message as an out-of-range value
            }
            throw error(column, expectation + ", got " + shown(value));
        }

        int intInRange(String column, int min, int max) {
            return (int) longInRange(column, min, max);
        }

        /** A finite decimal number in min..max (the DLRM trace writes "120.0" and "475.00000000000006"). */
        double decimalInRange(String column, double min, double max) {
            String value = text(column);
            try {
                double parsed = Double.parseDouble(value);
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error(column, "expected a number " + min + ".." + max + ", got " + shown(value));
        }

        /** Decimal seconds as whole milliseconds, or -1 when the field is empty. */
        long millisOrUnknown(String column) {
            String value = text(column);
            if (value.isEmpty()) {
                return -1;
            }
            try {
                double parsed = Double.parseDouble(value);
                if (parsed >= 0 && parsed < 1e15) {
                    return Math.round(parsed * 1000);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error(column, "expected non-negative seconds or nothing, got " + shown(value));
        }

        /** Seconds, or {@link TracePod#UNKNOWN_TIME} when the column is absent or the field empty. */
        long secondsOrUnknown(String column) {
            String value = text(column);
            if (value.isEmpty()) {
                return TracePod.UNKNOWN_TIME;
            }
            try {
                long parsed = Long.parseLong(value);
                if (parsed >= 0) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error(column, "expected a non-negative integer (seconds) or nothing, got " + shown(value));
        }

        /** A {@code |}-separated list of names, as a set; empty when the field is empty or absent. */
        Set<String> nameSet(String column) {
            String value = text(column);
            if (value.isEmpty()) {
                return Set.of();
            }
            List<String> names = Arrays.stream(value.split("\\|", -1)).map(String::trim).toList();
            if (names.contains("")) {
                throw error(column, "expected names separated by '|', got " + shown(value));
            }
            // Duplicates are allowed: the real gpuspec files say "V100M16|V100M32|V100M32".
            return Set.copyOf(names);
        }

        /** Builds a record, reporting its own validation failures at this line and the column it names. */
        <T> T build(Supplier<T> constructor) {
            try {
                return constructor.get();
            } catch (InvalidTraceFieldException e) {
                throw error(e.column(), e.detail());
            }
        }

        TraceFormatException error(String column, String detail) {
            return new TraceFormatException(file, line, column, detail);
        }
    }
}
