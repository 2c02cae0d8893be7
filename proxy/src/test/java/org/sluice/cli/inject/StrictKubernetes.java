package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.Map;

/**
 * Binds Kubernetes objects to the fabric8 model with every unknown field an error. The model classes keep unknown
 * fields in an any-setter map; that is switched off, so FAIL_ON_UNKNOWN_PROPERTIES sees a misspelled field.
 */
public final class StrictKubernetes {

    /** apiVersion/kind to model class; a kind missing here fails the test until it is added. */
    private static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.ofEntries(
            Map.entry("v1/Pod", Pod.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("batch/v1/CronJob", CronJob.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
                    MutatingWebhookConfiguration.class),
            Map.entry("admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
                    ValidatingWebhookConfiguration.class),
            Map.entry("admission.k8s.io/v1/AdmissionReview", AdmissionReview.class));

    public static final ObjectMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .addModule(new SimpleModule("no-any-setter").setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                        BeanDeserializerBuilder builder) {
                    if (bean.getBeanClass().getName().startsWith("io.fabric8.")) {
                        builder.setAnySetter(null);
                    }
                    return builder;
                }
            }))
            .build();

    private StrictKubernetes() {
    }

    /** The model class for an object's apiVersion and kind; IllegalArgumentException when there is none. */
    public static Class<? extends KubernetesResource> modelOf(JsonNode object) {
        String key = object.path("apiVersion").asText("?") + "/" + object.path("kind").asText("?");
        Class<? extends KubernetesResource> type = KINDS.get(key);
        if (type == null) {
            throw new IllegalArgumentException("no model class for " + key + "; add it to StrictKubernetes.KINDS");
        }
        return type;
    }

    /** Binds object strictly to its model class; a Jackson exception names the unknown field and its path. */
    public static KubernetesResource bind(JsonNode object) throws java.io.IOException {
        return MAPPER.treeToValue(object, modelOf(object));
    }
}
