package io.gantry.plugin.translate;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The {@code scheduling.x-k8s.io/v1alpha1} PodGroup of the Kubernetes scheduler-plugins coscheduling
 * plugin, so Kubeflow training jobs and JobSet configured for coscheduling work unchanged.
 */
@Group("scheduling.x-k8s.io")
@Version("v1alpha1")
@Kind("PodGroup")
@Plural("podgroups")
public class PodGroup extends CustomResource<PodGroup.Spec, PodGroup.Status> implements Namespaced {
    private static final long serialVersionUID = 1L;

    /** What the coscheduling plugin reads; other fields of its schema are kept by the API server. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        private Integer minMember;
        private Integer scheduleTimeoutSeconds;

        public Integer getMinMember() {
            return minMember;
        }

        public void setMinMember(Integer minMember) {
            this.minMember = minMember;
        }

        public Integer getScheduleTimeoutSeconds() {
            return scheduleTimeoutSeconds;
        }

        public void setScheduleTimeoutSeconds(Integer scheduleTimeoutSeconds) {
            this.scheduleTimeoutSeconds = scheduleTimeoutSeconds;
        }
    }

    /** Phase and counts, in the coscheduling plugin's field names. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status {
        private String phase;
        private Integer scheduled;
        private Integer running;
        private String message;

        public String getPhase() {
            return phase;
        }

        public void setPhase(String phase) {
            this.phase = phase;
        }

        public Integer getScheduled() {
            return scheduled;
        }

        public void setScheduled(Integer scheduled) {
            this.scheduled = scheduled;
        }

        public Integer getRunning() {
            return running;
        }

        public void setRunning(Integer running) {
            this.running = running;
        }

        public String getMessage() {
            return message;
        }

        public void setMessage(String message) {
            this.message = message;
        }
    }
}
