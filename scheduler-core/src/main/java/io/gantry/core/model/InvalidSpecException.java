package io.gantry.core.model;

/**
 * A pod or node specification that cannot be scheduled as written. The message always names the
 * object and the field, for example {@code pod train-0: gpuMilli must be 1..999 for a fractional
 * share, got 1500}.
 */
public final class InvalidSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String objectName;
    private final String field;

    public InvalidSpecException(String kind, String objectName, String field, String problem) {
        super(kind + " " + objectName + ": " + field + " " + problem);
        this.objectName = objectName;
        this.field = field;
    }

    public String objectName() {
        return objectName;
    }

    public String field() {
        return field;
    }
}
