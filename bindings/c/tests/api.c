/* The C interface's contract: status codes, out-parameters, the last error message,
 * NULL and UTF-8 checks, the typed hot path, and that a rejected input changes
 * nothing. */
#include "callroute.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            passed++;                                                            \
        } else {                                                                 \
            failed++;                                                            \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

static const char *CONFIG =
    "[[queues]]\nid = 1\nname = \"support\"\n"
    "[[agents]]\nid = 7\nqueues = [1]\n";

static CallrouteInput agent_input(CallrouteInputKind kind, uint32_t agent, uint64_t call) {
    CallrouteInput input = {.kind = kind, .call = call, .agent = agent, .digit = 0};
    return input;
}

static char *snapshot(CallrouteEngine *engine) {
    char *text = NULL;
    CHECK(callroute_engine_snapshot(engine, &text) == CALLROUTE_OK);
    return text;
}

static void bad_arguments_are_reported(void) {
    CallrouteEngine *engine = (CallrouteEngine *)0x1;
    CHECK(callroute_engine_new(NULL, CALLROUTE_CONFIG_FORMAT_TOML, 1, &engine) == CALLROUTE_ERR_NULL);
    CHECK(strcmp(callroute_last_error(), "`config` is NULL") == 0);
    CHECK(engine == (CallrouteEngine *)0x1);
    CHECK(callroute_engine_new(CONFIG, CALLROUTE_CONFIG_FORMAT_TOML, 1, NULL) == CALLROUTE_ERR_NULL);
    CHECK(strcmp(callroute_last_error(), "`out` is NULL") == 0);
    CHECK(callroute_engine_new("id = \"\xff\"", CALLROUTE_CONFIG_FORMAT_TOML, 1, &engine) == CALLROUTE_ERR_UTF8);
    CHECK(strcmp(callroute_last_error(), "`config` is not valid UTF-8") == 0);
    CHECK(callroute_engine_new("[[queues]]\nid = \"one\"\n", CALLROUTE_CONFIG_FORMAT_TOML, 1, &engine) == 1100);
    CHECK(strstr(callroute_last_error(), "queues") != NULL);
    CHECK(callroute_engine_new(CONFIG, 7, 1, &engine) == CALLROUTE_ERR_INVALID_INPUT);
    CHECK(strcmp(callroute_last_error(), "invalid input: unknown configuration format 7") == 0);
    CHECK(engine == (CallrouteEngine *)0x1);
    CHECK(callroute_engine_handle_timeout(NULL, 0) == CALLROUTE_ERR_NULL);
    CHECK(strcmp(callroute_last_error(), "`engine` is NULL") == 0);
    callroute_engine_free(NULL);
    callroute_string_free(NULL);
}

static void json_config_and_inputs(void) {
    CallrouteEngine *engine = NULL;
    CHECK(callroute_engine_new("{\"queues\": [{\"id\": 1}], \"agents\": [{\"id\": 7, \"queues\": [1]}]}",
                               CALLROUTE_CONFIG_FORMAT_JSON, 1, &engine) == CALLROUTE_OK);
    CHECK(callroute_engine_handle_input_json(engine, 10, "{\"type\": \"login\", \"agent\": 7}") == CALLROUTE_OK);
    char *out = NULL;
    CHECK(callroute_engine_poll_json(engine, &out) == CALLROUTE_OK);
    CHECK(out != NULL && strstr(out, "\"event\":\"agent-state-changed\"") != NULL);
    callroute_string_free(out);
    CHECK(callroute_engine_poll_json(engine, &out) == CALLROUTE_OK);
    CHECK(out == NULL);
    CHECK(callroute_engine_drain_json(engine, &out) == CALLROUTE_OK);
    CHECK(strcmp(out, "[]") == 0);
    callroute_string_free(out);

    char *before = snapshot(engine);
    CHECK(callroute_engine_handle_input_json(engine, 20, "{\"type\": \"ready\"}") == CALLROUTE_ERR_INVALID_INPUT);
    CHECK(strstr(callroute_last_error(), "agent") != NULL);
    CHECK(callroute_engine_handle_input_json(engine, 20, "{\"type\": \"ready\", \"agent\": 8}") == 1003);
    CHECK(strcmp(callroute_last_error(), "unknown agent 8") == 0);
    CHECK(callroute_engine_handle_input_json(engine, 5, "{\"type\": \"ready\", \"agent\": 7}") == 1001);
    CHECK(callroute_engine_apply_entry_json(engine, "{\"at\": 20, \"input\": {\"type\": \"logout\", \"agent\": 99}}") == 1003);
    char *after = snapshot(engine);
    CHECK(strcmp(before, after) == 0);
    callroute_string_free(before);
    callroute_string_free(after);

    CHECK(callroute_engine_apply_entry_json(engine, "{\"at\": 20, \"input\": null}") == CALLROUTE_OK);
    bool has = false;
    uint64_t deadline = 0;
    CHECK(callroute_engine_next_deadline(engine, &has, &deadline) == CALLROUTE_OK);
    CHECK(has && deadline == 900000);
    callroute_engine_free(engine);
}

static void typed_hot_path(void) {
    CallrouteEngine *engine = NULL;
    CHECK(callroute_engine_new(CONFIG, CALLROUTE_CONFIG_FORMAT_TOML, 1, &engine) == CALLROUTE_OK);
    CallrouteInput login = agent_input(CALLROUTE_INPUT_KIND_LOGIN, 7, 0);
    CallrouteInput ready = agent_input(CALLROUTE_INPUT_KIND_READY, 7, 0);
    CallrouteInput stranger = agent_input(CALLROUTE_INPUT_KIND_READY, 99, 0);
    CallrouteInput nonsense = agent_input(999, 7, 0);
    CHECK(callroute_engine_handle_input(engine, 0, &login) == CALLROUTE_OK);
    CHECK(callroute_engine_handle_input(engine, 0, &ready) == CALLROUTE_OK);
    CHECK(callroute_engine_handle_input(engine, 0, &stranger) == 1003);
    CHECK(callroute_engine_handle_input(engine, 0, &nonsense) == CALLROUTE_ERR_INVALID_INPUT);
    CHECK(strcmp(callroute_last_error(), "invalid input: unknown input kind 999") == 0);
    CHECK(callroute_engine_handle_input(engine, 0, NULL) == CALLROUTE_ERR_NULL);
    char *logins = NULL;
    CHECK(callroute_engine_drain_json(engine, &logins) == CALLROUTE_OK);
    callroute_string_free(logins);

    CHECK(callroute_engine_handle_input_json(engine, 1000,
        "{\"type\": \"call-offered\", \"call\": 42, \"ani\": \"+15550001\"}") == CALLROUTE_OK);
    CHECK(callroute_engine_handle_input_json(engine, 1000,
        "{\"type\": \"enter-queue\", \"call\": 42, \"queue\": 1}") == CALLROUTE_OK);

    /* The call's outputs: arrived, queued, music on hold, agent reserved, ring, offered. */
    CallrouteOutput out;
    uint32_t kinds[16];
    int n = 0;
    char *ring_json = NULL;
    for (;;) {
        CHECK(callroute_engine_poll(engine, &out) == CALLROUTE_OK);
        if (out.kind == CALLROUTE_OUTPUT_KIND_NONE || n == 16) break;
        kinds[n++] = out.kind;
        if (out.kind == CALLROUTE_OUTPUT_KIND_RING_AGENT) {
            CHECK(out.call == 42 && out.agent == 7);
            CHECK(callroute_engine_output_json(engine, &ring_json) == CALLROUTE_OK);
        }
    }
    CHECK(n == 6);
    CHECK(kinds[0] == CALLROUTE_OUTPUT_KIND_EVENT && kinds[1] == CALLROUTE_OUTPUT_KIND_EVENT);
    CHECK(kinds[2] == CALLROUTE_OUTPUT_KIND_START_MUSIC_ON_HOLD);
    CHECK(kinds[3] == CALLROUTE_OUTPUT_KIND_EVENT && kinds[4] == CALLROUTE_OUTPUT_KIND_RING_AGENT);
    CHECK(kinds[5] == CALLROUTE_OUTPUT_KIND_EVENT);
    CHECK(ring_json != NULL && strstr(ring_json, "\"ani\":\"+15550001\"") != NULL);
    callroute_string_free(ring_json);
    char *none = (char *)0x1;
    CHECK(callroute_engine_output_json(engine, &none) == CALLROUTE_OK && none == NULL);

    CallrouteInput answer = agent_input(CALLROUTE_INPUT_KIND_DEVICE_ANSWERED, 7, 42);
    CHECK(callroute_engine_handle_input(engine, 3000, &answer) == CALLROUTE_OK);
    int connects = 0;
    for (;;) {
        CHECK(callroute_engine_poll(engine, &out) == CALLROUTE_OK);
        if (out.kind == CALLROUTE_OUTPUT_KIND_NONE) break;
        if (out.kind == CALLROUTE_OUTPUT_KIND_CONNECT) connects += out.call == 42 && out.agent == 7;
    }
    CHECK(connects == 1);

    CallrouteInput digit = {.kind = CALLROUTE_INPUT_KIND_DTMF, .call = 43, .agent = 0, .digit = '5'};
    CHECK(callroute_engine_handle_input(engine, 4000, &digit) == 1002);
    CallrouteInput hang_up = {.kind = CALLROUTE_INPUT_KIND_CALLER_HANG_UP, .call = 42, .agent = 0, .digit = 0};
    CHECK(callroute_engine_handle_input(engine, 60000, &hang_up) == CALLROUTE_OK);
    char *drained = NULL;
    CHECK(callroute_engine_drain_json(engine, &drained) == CALLROUTE_OK);
    CHECK(strstr(drained, "{\"event\":\"call-ended\",\"call\":42,\"outcome\":\"completed\"}") != NULL);
    callroute_string_free(drained);
    CHECK(callroute_engine_handle_input(engine, 60000, &hang_up) == 1002);

    /* A snapshot restores into an identical engine. */
    char *saved = snapshot(engine);
    CallrouteEngine *copy = NULL;
    CHECK(callroute_engine_restore(saved, &copy) == CALLROUTE_OK);
    char *again = snapshot(copy);
    CHECK(strcmp(saved, again) == 0);
    CHECK(callroute_engine_restore("{}", &copy) == 1101);
    callroute_string_free(saved);
    callroute_string_free(again);
    callroute_engine_free(copy);
    callroute_engine_free(engine);
}

int main(void) {
    bad_arguments_are_reported();
    json_config_and_inputs();
    typed_hot_path();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
