package io.gantry.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TolerationTest {

    private static final Taint GPU_NO_SCHEDULE = new Taint("gpu", "a100", TaintEffect.NO_SCHEDULE);

    @Test
    void existsWithEmptyKeyToleratesEveryTaint() {
        Toleration all = Toleration.exists("");

        assertThat(all.tolerates(GPU_NO_SCHEDULE)).isTrue();
        assertThat(all.tolerates(new Taint("other", "", TaintEffect.NO_EXECUTE))).isTrue();
        assertThat(all.tolerates(new Taint("x", "y", TaintEffect.PREFER_NO_SCHEDULE))).isTrue();
    }

    @Test
    void equalWithEmptyKeyToleratesNothing() {
        assertThat(new Toleration("", false, "", null).tolerates(new Taint("", "", TaintEffect.NO_SCHEDULE))).isFalse();
        assertThat(new Toleration("", false, "a100", null).tolerates(GPU_NO_SCHEDULE)).isFalse();
    }

    @Test
    void existsWithEmptyKeyButAnEffectOnlyMatchesThatEffect() {
        Toleration noExecute = new Toleration("", true, "", TaintEffect.NO_EXECUTE);

        assertThat(noExecute.tolerates(GPU_NO_SCHEDULE)).isFalse();
        assertThat(noExecute.tolerates(new Taint("gpu", "a100", TaintEffect.NO_EXECUTE))).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}={2} effect {3} tolerates gpu=a100:NoSchedule: {4}")
    @CsvSource({
            // key, exists, value, effect (empty = any), expected
            "gpu,   true,  ,      ,             true",
            "gpu,   true,  other, ,             true",
            "gpu,   false, a100,  ,             true",
            "gpu,   false, a10,   ,             false",
            "gpu,   false, ,      ,             false",
            "gpu,   false, a100,  NO_SCHEDULE,  true",
            "gpu,   false, a100,  NO_EXECUTE,   false",
            "gpu,   true,  ,      NO_SCHEDULE,  true",
            "gpu,   true,  ,      PREFER_NO_SCHEDULE, false",
            "gpus,  true,  ,      ,             false",
            "GPU,   false, a100,  ,             false",
    })
    void matchingRules(String key, boolean exists, String value, TaintEffect effect, boolean expected) {
        assertThat(new Toleration(key, exists, value, effect).tolerates(GPU_NO_SCHEDULE)).isEqualTo(expected);
    }

    @Test
    void factoryMethods() {
        assertThat(Toleration.exists("k")).isEqualTo(new Toleration("k", true, "", null));
        assertThat(Toleration.equal("k", "v", TaintEffect.NO_EXECUTE)).isEqualTo(new Toleration("k", false, "v", TaintEffect.NO_EXECUTE));
        assertThat(new Toleration(null, true, null, null)).isEqualTo(Toleration.exists(""));
    }

    @Test
    void onlyPreferNoScheduleDoesNotRepel() {
        assertThat(new Taint("k", "v", TaintEffect.NO_SCHEDULE).repels()).isTrue();
        assertThat(new Taint("k", "v", TaintEffect.NO_EXECUTE).repels()).isTrue();
        assertThat(new Taint("k", "v", TaintEffect.PREFER_NO_SCHEDULE).repels()).isFalse();
    }

    @Test
    void taintNeedsKeyAndEffectAndDefaultsValue() {
        assertThatThrownBy(() -> new Taint(null, "v", TaintEffect.NO_SCHEDULE)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Taint("k", "v", null)).isInstanceOf(NullPointerException.class);
        assertThat(new Taint("k", null, TaintEffect.NO_SCHEDULE).value()).isEmpty();
    }
}
