package io.gantry.plugin.translate;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Kubernetes quantities into the core's integer units, rounding up as the API server does for requests. */
final class Quantities {
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private Quantities() {
    }

    /** CPU in thousandths of a core ({@code 500m}, {@code 2}, {@code 1.5}). */
    static long milli(Quantity quantity, String kind, String object, String field) {
        BigDecimal value = amount(quantity, kind, object, field);
        return value.multiply(THOUSAND).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** Memory in bytes ({@code 1Gi}, {@code 512M}). */
    static long bytes(Quantity quantity, String kind, String object, String field) {
        BigDecimal value = amount(quantity, kind, object, field);
        return value.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A count of devices ({@code nvidia.com/gpu: 2}); extended resources must be whole. */
    static int count(Quantity quantity, String kind, String object, String field) {
        BigDecimal value = amount(quantity, kind, object, field);
        if (value.stripTrailingZeros().scale() > 0) {
            throw new TranslationException(kind, object, field, "must be a whole number, got " + quantity);
        }
        try {
            return value.intValueExact();
        } catch (ArithmeticException e) {
            throw new TranslationException(kind, object, field, "is too large, got " + quantity);
        }
    }

    private static BigDecimal amount(Quantity quantity, String kind, String object, String field) {
        BigDecimal value;
        try {
            value = Quantity.getAmountInBytes(quantity);
        } catch (RuntimeException e) {
            throw new TranslationException(kind, object, field, "is not a quantity, got \"" + quantity + "\"");
        }
        if (value.signum() < 0) {
            throw new TranslationException(kind, object, field, "must not be negative, got " + quantity);
        }
        return value;
    }
}
