package org.sluice.bench.content;

import java.util.List;
import org.sluice.policy.content.ContentInput;

/**
 * What one attack sends in one job: requests in the order they leave, each with the cells of protected rows it
 * carries (so a test can show the attack really leaks them). A single-request attack is a job of one request.
 */
record Exfiltration(List<Sent> requests) {

    Exfiltration {
        requests = List.copyOf(requests);
    }

    static Exfiltration of(Sent request) {
        return new Exfiltration(List.of(request));
    }

    /**
     * One request and what it carries.
     *
     * @param input the request as the content check sees it
     * @param cells the protected cells in it, as the CSV writes them (the attacker's server recovers each one)
     */
    record Sent(ContentInput input, List<String> cells) {
        Sent {
            cells = List.copyOf(cells);
        }
    }
}
