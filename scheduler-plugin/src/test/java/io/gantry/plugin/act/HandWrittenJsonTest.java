package io.gantry.plugin.act;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Binding and Event written by hand read back as the model objects fabric8 would have sent. */
class HandWrittenJsonTest {
    private final KubernetesSerialization json = new KubernetesSerialization();

    @Test
    void bindingCarriesUidAnnotationAndTarget() {
        Binding b = json.unmarshal(Binder.bindingJson("team-a", "train-0", "u-1", "gpu-1", 0b101), Binding.class);
        assertThat(b.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(b.getMetadata().getName()).isEqualTo("train-0");
        assertThat(b.getMetadata().getUid()).isEqualTo("u-1");
        assertThat(b.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-indexes", "0,2");
        assertThat(b.getTarget().getKind()).isEqualTo("Node");
        assertThat(b.getTarget().getName()).isEqualTo("gpu-1");

        Binding cpuOnly = json.unmarshal(Binder.bindingJson("team-a", "web", "u-2", "cpu-1", 0), Binding.class);
        assertThat(cpuOnly.getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void eventNamesItsObjectAndEscapesTheMessage() {
        String message = "needs 8 x \"H100\" on one node;\n41 nodes have\tno H100 \\ \u0001";
        Event e = json.unmarshal(StatusReporter.eventJson("team-a", "train-0.1a2b", new ObjectReferenceBuilder().withApiVersion("v1")
                .withKind("Pod").withNamespace("team-a").withName("train-0").withUid("u-1").build(), "Warning", "FailedScheduling",
                message, "gantry", "gantry-0", "2026-12-02T17:00:00Z"), Event.class);
        assertThat(e.getMetadata().getName()).isEqualTo("train-0.1a2b");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo("u-1");
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.getReason()).isEqualTo("FailedScheduling");
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getSource().getComponent()).isEqualTo("gantry");
        assertThat(e.getReportingInstance()).isEqualTo("gantry-0");
        assertThat(e.getCount()).isEqualTo(1);
        assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-02T17:00:00Z");
    }
}
