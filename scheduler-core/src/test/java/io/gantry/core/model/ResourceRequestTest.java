package io.gantry.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResourceRequestTest {

    private static InvalidSpecException rejected(ResourceRequest request) {
        try {
            PodSpec.of(1, "train-0", request, Set.of());
        } catch (InvalidSpecException e) {
            return e;
        }
        throw new AssertionError("accepted " + request);
    }

    @Test
    void negativeCpuNamesPodAndField() {
        InvalidSpecException e = rejected(new ResourceRequest(-1, 0, 0, 0, 0));

        assertThat(e).hasMessage("pod train-0: cpuMilli must not be negative, got -1");
        assertThat(e.objectName()).isEqualTo("train-0");
        assertThat(e.field()).isEqualTo("cpuMilli");
    }

    @Test
    void negativeMemoryNamesPodAndField() {
        assertThat(rejected(new ResourceRequest(0, -5, 0, 0, 0)))
                .hasMessage("pod train-0: memoryBytes must not be negative, got -5");
    }

    @Test
    void moreThanSixteenGpusIsRejected() {
        assertThat(rejected(ResourceRequest.wholeGpus(1000, 0, 17)))
                .hasMessage("pod train-0: gpus must be 0..16, got 17");
        assertThat(rejected(ResourceRequest.wholeGpus(1000, 0, -1)).field()).isEqualTo("gpus");
    }

    @Test
    void wholeGpusTogetherWithAShareIsRejected() {
        assertThat(rejected(new ResourceRequest(1000, 0, 2, 500, 0)))
                .hasMessage("pod train-0: gpuMilli must be 0 when whole GPUs are asked (gpus=2), got 500");
    }

    @ParameterizedTest
    @CsvSource({"1000", "1500", "-1"})
    void shareOutsideOneTo999IsRejected(int milli) {
        InvalidSpecException e = rejected(ResourceRequest.gpuShare(1000, 0, milli));

        assertThat(e).hasMessage("pod train-0: gpuMilli must be 1..999 for a fractional share (or 0), got " + milli);
        assertThat(e.field()).isEqualTo("gpuMilli");
    }

    @Test
    void negativeGpuMemoryIsRejected() {
        assertThat(rejected(new ResourceRequest(0, 0, 1, 0, -1)).field()).isEqualTo("gpuMemoryBytes");
    }

    @Test
    void boundaryValuesAreAccepted() {
        assertThat(ResourceRequest.wholeGpus(0, 0, 16).validate("p").gpus()).isEqualTo(16);
        assertThat(ResourceRequest.gpuShare(0, 0, 999).validate("p").gpuMilli()).isEqualTo(999);
        assertThat(ResourceRequest.gpuShare(0, 0, 1).validate("p").gpuMilli()).isEqualTo(1);
        assertThat(ResourceRequest.NONE.validate("p").asksGpu()).isFalse();
    }

    @Test
    void derivedAmountsPerKindOfRequest() {
        ResourceRequest wholeThree = ResourceRequest.wholeGpus(0, 0, 3);
        ResourceRequest share = ResourceRequest.gpuShare(0, 0, 250);
        ResourceRequest cpu = ResourceRequest.cpuOnly(4000, 1);

        assertThat(wholeThree.totalGpuMilli()).isEqualTo(3000);
        assertThat(wholeThree.gpusTouched()).isEqualTo(3);
        assertThat(wholeThree.milliPerTouchedGpu()).isEqualTo(1000);
        assertThat(wholeThree.isFractional()).isFalse();
        assertThat(share.totalGpuMilli()).isEqualTo(250);
        assertThat(share.gpusTouched()).isEqualTo(1);
        assertThat(share.milliPerTouchedGpu()).isEqualTo(250);
        assertThat(share.isFractional()).isTrue();
        assertThat(cpu.asksGpu()).isFalse();
        assertThat(cpu.totalGpuMilli()).isZero();
        assertThat(cpu.gpusTouched()).isZero();
    }

    @Test
    void validateReturnsTheSameRequest() {
        ResourceRequest r = ResourceRequest.gpuShare(100, 200, 300);

        assertThat(r.validate("p")).isSameAs(r);
    }

    @Test
    void exceptionIsAnIllegalArgumentException() {
        assertThatThrownBy(() -> ResourceRequest.gpuShare(0, 0, 1000).validate("x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
