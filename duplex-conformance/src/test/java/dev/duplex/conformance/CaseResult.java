package dev.duplex.conformance;

/**
 * How one case went, in Autobahn's terms: the behavior of the events and of the closing, the close codes seen, and
 * how long it took.
 *
 * @param outcome         the one word a report shows: OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED or FAILED
 * @param remoteCloseCode the code of the peer's Close frame, or null when it sent none or an empty one
 * @param localCloseCode  the code of the suite's Close frame, or null
 * @param result          why the events got their behavior
 * @param resultClose     why the closing got its behavior
 */
record CaseResult(String id, String outcome, Case.Behavior behavior, Case.CloseBehavior behaviorClose,
                  Integer remoteCloseCode, Integer localCloseCode, long durationMillis, boolean reportTime,
                  String result, String resultClose) {

    static final String OK = "OK";
    static final String NON_STRICT = "NON-STRICT";
    static final String INFORMATIONAL = "INFORMATIONAL";
    static final String UNIMPLEMENTED = "UNIMPLEMENTED";
    static final String FAILED = "FAILED";

    /**
     * The single outcome: the events' behavior when the closing was OK (or informational); a closing Autobahn marks
     * as merely imperfect (a wrong but legal code, the client dropping TCP) makes an OK case NON-STRICT; an unclean
     * or failed closing fails it.
     */
    static String outcome(Case.Behavior behavior, Case.CloseBehavior close) {
        return switch (behavior) {
            case FAILED -> FAILED;
            case UNIMPLEMENTED -> UNIMPLEMENTED;
            case OK, NON_STRICT, INFORMATIONAL -> switch (close) {
                case OK, INFORMATIONAL -> behavior.label;
                case WRONG_CODE, FAILED_BY_CLIENT -> behavior == Case.Behavior.INFORMATIONAL ? behavior.label : NON_STRICT;
                case UNCLEAN, FAILED -> FAILED;
            };
        };
    }
}
