package org.sluice.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Answers Kubernetes admission requests (AdmissionReview, admission.k8s.io/v1) with {@link PodInjector}: the
 * mutating answer carries the injection as a base64 JSON patch, the validating one refuses what inject would
 * refuse and any pod that runs without Sluice. Pure: review in, review out.
 */
public final class AdmissionReviews {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final PodInjector injector;

    public AdmissionReviews(PodInjector injector) {
        this.injector = Objects.requireNonNull(injector, "injector");
    }

    /** A review that is not an admission.k8s.io/v1 AdmissionReview with a request uid and object. */
    public static final class BadReview extends Exception {
        private static final long serialVersionUID = 1L;

        BadReview(String message) {
            super(message);
        }
    }

    /** The mutating answer: allowed with a JSON patch that injects Sluice, allowed unchanged, or refused. */
    public JsonNode mutate(JsonNode review) throws BadReview {
        ObjectNode object = objectOf(review);
        Injection injection = injector.inject(object);
        ObjectNode response = response(review);
        if (injection.refused()) {
            return deny(response, object, injection.refusals());
        }
        response.put("allowed", true);
        if (injection.outcome() == Injection.Outcome.INJECTED) {
            ArrayNode patch = JsonPatch.diff(object, injection.object());
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(
                    patch.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return wrap(response);
    }

    /** The validating answer: refused when inject would refuse, or when a workload runs without Sluice. */
    public JsonNode validate(JsonNode review) throws BadReview {
        ObjectNode object = objectOf(review);
        Injection injection = injector.inject(object);
        ObjectNode response = response(review);
        if (injection.refused()) {
            return deny(response, object, injection.refusals());
        }
        if (injection.outcome() == Injection.Outcome.INJECTED) {
            return deny(response, object, List.of(new Refusal(null, "has no " + InjectSettings.SIDECAR
                    + " container: it would run without Sluice (is the mutating webhook registered?)")));
        }
        response.put("allowed", true);
        return wrap(response);
    }

    private static ObjectNode objectOf(JsonNode review) throws BadReview {
        if (!review.path("apiVersion").asText().equals("admission.k8s.io/v1")
                || !review.path("kind").asText().equals("AdmissionReview")) {
            throw new BadReview("expected an AdmissionReview of apiVersion admission.k8s.io/v1");
        }
        JsonNode request = review.path("request");
        if (!request.path("uid").isTextual()) {
            throw new BadReview("the AdmissionReview has no request.uid");
        }
        if (!(request.path("object") instanceof ObjectNode object)) {
            throw new BadReview("the AdmissionReview has no request.object");
        }
        ObjectNode copy = object.deepCopy();
        // The API server sends the full object, but kind is what the injector goes by: take it from the request.
        if (!copy.hasNonNull("kind") && request.path("kind").path("kind").isTextual()) {
            copy.put("kind", request.path("kind").path("kind").asText());
        }
        return copy;
    }

    private static ObjectNode response(JsonNode review) {
        ObjectNode response = JSON.objectNode();
        response.put("uid", review.path("request").path("uid").asText());
        return response;
    }

    private static JsonNode deny(ObjectNode response, JsonNode object, List<Refusal> refusals) {
        String message = "sluice: " + PodInjector.describe(object).strip() + " refused: "
                + refusals.stream().map(Refusal::line).collect(Collectors.joining("; "));
        response.put("allowed", false);
        response.putObject("status").put("code", 403).put("reason", "Forbidden").put("message", message);
        return wrap(response);
    }

    private static JsonNode wrap(ObjectNode response) {
        ObjectNode review = JSON.objectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        review.set("response", response);
        return review;
    }
}
