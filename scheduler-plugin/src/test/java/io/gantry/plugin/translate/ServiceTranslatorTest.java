package io.gantry.plugin.translate;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.SpreadLevel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceTranslatorTest {
    private final PodTranslator translator = new PodTranslator("example.com/rack");

    private static PodBuilder replica(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("serve").withName(name).withUid("u-" + name)
                .addToLabels("app", "llm").addToLabels("pod-template-hash", "7d9f").endMetadata()
                .withNewSpec().withSchedulerName("gantry").addNewContainer().withName("main").endContainer().endSpec();
    }

    private static TopologySpreadConstraintBuilder spread(String key, int maxSkew, String when) {
        return new TopologySpreadConstraintBuilder().withTopologyKey(key).withMaxSkew(maxSkew).withWhenUnsatisfiable(when)
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "llm").build());
    }

    private ServiceConstraints service(Pod pod) {
        return translator.translate(pod, 1).service();
    }

    @Test
    void spreadConstraintsMapPerLevelAndReplicasOfOneSelectorShareAService() {
        Pod a = replica("a").editSpec().withTopologySpreadConstraints(
                spread("topology.kubernetes.io/zone", 1, "DoNotSchedule").build(),
                spread("kubernetes.io/hostname", 2, "ScheduleAnyway").build(),
                spread("example.com/rack", 3, "DoNotSchedule").build()).endSpec().build();
        ServiceConstraints c = service(a);
        assertThat(c.service()).isEqualTo("serve/{app==llm}");
        assertThat(c.maxPerNode()).isEqualTo(ServiceConstraints.NO_CAP);
        assertThat(c.spread()).containsExactly(SpreadConstraint.doNotSchedule(SpreadLevel.ZONE, 1),
                SpreadConstraint.scheduleAnyway(SpreadLevel.NODE, 2), SpreadConstraint.doNotSchedule(SpreadLevel.RACK, 3));
        Pod b = replica("b").editMetadata().addToLabels("pod-template-hash", "other").endMetadata()
                .editSpec().withTopologySpreadConstraints(spread("topology.kubernetes.io/zone", 1, "DoNotSchedule").build()).endSpec().build();
        assertThat(service(b).service()).as("a rolling update's new ReplicaSet counts with the old one").isEqualTo(c.service());
    }

    @Test
    void matchLabelKeysNarrowTheServiceToTheReplicaSet() {
        Pod p = replica("a").editSpec().withTopologySpreadConstraints(spread("kubernetes.io/hostname", 1, "DoNotSchedule")
                .withMatchLabelKeys("pod-template-hash").build()).endSpec().build();
        assertThat(service(p).service()).isEqualTo("serve/{app==llm, pod-template-hash==7d9f}");
    }

    @Test
    void requiredAntiAffinityByHostnameIsACapOfOnePerNodeAndPreferredIsASoftNodeSpread() {
        Pod required = replica("a").editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                .withLabelSelector(new LabelSelectorBuilder().addToMatchExpressions(new LabelSelectorRequirementBuilder()
                        .withKey("app").withOperator("In").withValues("llm", "chat").build()).build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
        ServiceConstraints c = service(required);
        assertThat(c.maxPerNode()).isEqualTo(1);
        assertThat(c.spread()).isEmpty();
        assertThat(c.service()).isEqualTo("serve/{app=In[chat, llm]}");

        Pod preferred = replica("b").editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100).withNewPodAffinityTerm()
                .withTopologyKey("kubernetes.io/hostname").withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "llm").build())
                .endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
        assertThat(service(preferred).maxPerNode()).isEqualTo(ServiceConstraints.NO_CAP);
        assertThat(service(preferred).spread()).containsExactly(SpreadConstraint.scheduleAnyway(SpreadLevel.NODE, 1));
    }

    @Test
    void onOneLevelAHardConstraintWinsOverASoftOneAndTheSmallerSkewOverTheLarger() {
        Pod p = replica("a").editSpec().withTopologySpreadConstraints(
                spread("kubernetes.io/hostname", 1, "ScheduleAnyway").build(),
                spread("kubernetes.io/hostname", 4, "DoNotSchedule").build(),
                spread("kubernetes.io/hostname", 2, "DoNotSchedule").build()).endSpec().build();
        assertThat(service(p).spread()).containsExactly(SpreadConstraint.doNotSchedule(SpreadLevel.NODE, 2));
    }

    @Test
    void ownedReplicasWithoutTermsGetKubernetesDefaultSoftSpreadByOwner() {
        Pod p = replica("a").editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                .withKind("ReplicaSet").withName("llm-7d9f").withController(true).build()).endMetadata().build();
        ServiceConstraints c = service(p);
        assertThat(c.service()).isEqualTo("serve/ReplicaSet/llm-7d9f");
        assertThat(c.spread()).containsExactly(SpreadConstraint.scheduleAnyway(SpreadLevel.NODE, 3),
                SpreadConstraint.scheduleAnyway(SpreadLevel.ZONE, 5));
        assertThat(service(replica("lone").build())).isEqualTo(ServiceConstraints.NONE);
        Pod job = replica("job").editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1")
                .withKind("Job").withName("train").withController(true).build()).endMetadata().build();
        assertThat(service(job)).isEqualTo(ServiceConstraints.NONE);
    }

    @Test
    void termsGantryCannotHonourAreRefusedNamingTheField() {
        Pod otherApp = replica("a").editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "db").build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
        assertThatThrownBy(() -> service(otherApp)).isInstanceOf(TranslationException.class).hasMessage("pod serve/a: "
                + "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels[app] "
                + "(app=db) does not select the pod itself; Gantry counts a pod's own replicas only and does not support terms about other pods yet");

        Pod byZone = replica("a").editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("topology.kubernetes.io/zone")
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "llm").build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
        assertThatThrownBy(() -> service(byZone)).hasMessageContaining(
                "requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey \"topology.kubernetes.io/zone\" is not supported by Gantry yet");

        Pod unknownKey = replica("a").editSpec().withTopologySpreadConstraints(spread("example.com/row", 1, "DoNotSchedule").build())
                .endSpec().build();
        assertThatThrownBy(() -> service(unknownKey)).hasMessageContaining("spec.topologySpreadConstraints[0].topologyKey \"example.com/row\"");

        Pod minDomains = replica("a").editSpec().withTopologySpreadConstraints(spread("kubernetes.io/hostname", 1, "DoNotSchedule")
                .withMinDomains(3).build()).endSpec().build();
        assertThatThrownBy(() -> service(minDomains)).hasMessageContaining("spec.topologySpreadConstraints[0].minDomains of 3");

        Pod twoSelectors = replica("a").editMetadata().addToLabels("tier", "gpu").endMetadata().editSpec().withTopologySpreadConstraints(
                spread("kubernetes.io/hostname", 1, "DoNotSchedule").build(),
                spread("topology.kubernetes.io/zone", 1, "DoNotSchedule")
                        .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "gpu").build()).build()).endSpec().build();
        assertThatThrownBy(() -> service(twoSelectors)).hasMessageContaining(
                "spec.topologySpreadConstraints[1].labelSelector selects other pods than spec.topologySpreadConstraints[0].labelSelector");

        Pod empty = replica("a").editSpec().withTopologySpreadConstraints(spread("kubernetes.io/hostname", 1, "DoNotSchedule")
                .withLabelSelector(null).build()).endSpec().build();
        assertThatThrownBy(() -> service(empty)).hasMessageContaining("spec.topologySpreadConstraints[0].labelSelector must select");

        Pod badWhen = replica("a").editSpec().withTopologySpreadConstraints(spread("kubernetes.io/hostname", 1, "Sometimes").build())
                .endSpec().build();
        assertThatThrownBy(() -> service(badWhen)).hasMessageContaining("whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway, got \"Sometimes\"");
    }

    @Test
    void boundPodsCountTowardsTheirServiceWithoutConstraintsEvenWhenTheirTermsAreNotSupported() {
        Pod bound = replica("a").editSpec().withNodeName("n1").withTopologySpreadConstraints(
                spread("kubernetes.io/hostname", 1, "DoNotSchedule").build()).endSpec().build();
        assertThat(translator.translateBound(bound, 1).service()).isEqualTo(new ServiceConstraints("serve/{app==llm}", 0, List.of()));
        Pod unsupported = replica("b").editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                .withKind("StatefulSet").withName("db").withController(true).build()).endMetadata()
                .editSpec().withNodeName("n1").withTopologySpreadConstraints(spread("example.com/row", 1, "DoNotSchedule").build())
                .endSpec().build();
        assertThat(translator.translateBound(unsupported, 2).service().service()).isEqualTo("serve/StatefulSet/db");
    }
}
