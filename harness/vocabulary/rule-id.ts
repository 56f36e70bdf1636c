/** A rule id: lower case, digits, dots and dashes, e.g. `chat-2.4-keep-open`, `rfc862-tcp-echo-back`. */
export const RULE_ID_PATTERN = '^[a-z0-9][a-z0-9.-]*$';
