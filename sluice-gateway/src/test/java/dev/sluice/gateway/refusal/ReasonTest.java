package dev.sluice.gateway.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The labels are a format: the ledger's {@code reason}, the JSON error {@code type}, the metric
 * label and the log line key on them, so each one is pinned here with its HTTP status.
 */
class ReasonTest {

  @ParameterizedTest
  @CsvSource({
    "BUDGET_EXHAUSTED,egress_budget_exhausted,429",
    "HALTED,egress_halted,503",
    "STORE_UNAVAILABLE,budget_store_unavailable,503",
    "LEDGER_UNAVAILABLE,ledger_unavailable,0",
    "CONTROL_EXHAUSTED,control_allowance_exhausted,0",
    "METER_OVERFLOW,meter_overflow,0",
    "WOULD_DENY,would_deny,0",
    "BAD_REQUEST,bad_request,400",
    "DUPLICATE_IDENTITY_HEADER,duplicate_identity_header,400",
    "HOST_MISMATCH,host_mismatch,400",
    "REQUEST_TOO_LARGE,request_too_large,413",
    "PROXY_AUTH_REQUIRED,proxy_auth_required,407",
    "PROXY_AUTH_INVALID,proxy_auth_invalid,407",
    "UNKNOWN_TENANT,unknown_tenant,403",
    "DESTINATION_NOT_ALLOWED,destination_not_allowed,403",
    "DESTINATION_IP_LITERAL,destination_ip_literal,403",
    "DESTINATION_BRACKETED,destination_bracketed,403",
    "DESTINATION_NOT_LOWER_CASE,destination_not_lower_case,403",
    "DESTINATION_TRAILING_DOT,destination_trailing_dot,403",
    "DESTINATION_EMPTY_LABEL,destination_empty_label,403",
    "DESTINATION_INVALID,destination_invalid,403",
    "DESTINATION_DENIED_ADDRESS,destination_denied_address,403",
    "DESTINATION_UNRESOLVABLE,destination_unresolvable,502",
    "DESTINATION_UNREACHABLE,destination_unreachable,502",
    "DESTINATION_FAILED,destination_failed,502",
    "DESTINATION_WRITE_FAILED,destination_write_failed,0",
    "UPSTREAM_UNAVAILABLE,upstream_unavailable,502",
    "UPSTREAM_FAILED,upstream_failed,502",
    "UPSTREAM_CLOSED,upstream_closed,0",
    "UPSTREAM_ERROR,upstream_error,0",
    "UPSTREAM_MALFORMED_RESPONSE,upstream_malformed_response,0",
    "UPSTREAM_WRITE_FAILED,upstream_write_failed,0",
    "CLIENT_CLOSED,client_closed,0",
    "CLIENT_ERROR,client_error,0",
    "CLIENT_WRITE_FAILED,client_write_failed,0",
    "EDGE_LINK_FAILED,edge_link_failed,0",
    "INTERNAL_ERROR,internal_error,0",
  })
  void labelAndStatusNeverChange(String name, String label, int status) {
    Reason r = Reason.valueOf(name);
    assertThat(r.label()).isEqualTo(label);
    assertThat(r.toString()).isEqualTo(label);
    assertThat(r.status()).isEqualTo(status);
  }

  @Test
  void labelsAreDistinctAndPolicyIsTheFourHundreds() {
    assertThat(Arrays.stream(Reason.values()).map(Reason::label)).doesNotHaveDuplicates();
    assertThat(Reason.UNKNOWN_TENANT.policy()).isTrue();
    assertThat(Reason.DESTINATION_FAILED.policy()).isFalse();
    assertThat(Reason.BUDGET_EXHAUSTED.policy()).isTrue();
    assertThat(Reason.CLIENT_CLOSED.policy()).isFalse();
  }
}
