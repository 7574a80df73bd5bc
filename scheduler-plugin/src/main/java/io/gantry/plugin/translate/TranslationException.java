package io.gantry.plugin.translate;

/**
 * A Kubernetes object Gantry cannot translate. The message names the object, the field and the
 * offending value, so it can go to the user as is (a {@code FailedScheduling} event, a log line).
 */
public final class TranslationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public TranslationException(String kind, String object, String field, String problem) {
        super(kind + " " + object + ": " + field + " " + problem);
        this.field = field;
    }

    /** The field at fault, for example {@code metadata.annotations[gantry.io/gpu-milli]}. */
    public String field() {
        return field;
    }
}
