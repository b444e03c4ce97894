/* How a PBX module embeds callroute: one engine, an event loop that waits for the next
 * PBX event or the engine's next deadline, whichever comes first, and a dispatcher that
 * carries out the engine's actions. Hot-path events go in as typed structs; nothing on
 * the per-call path is JSON except the one call-offered input with its caller data.
 *
 * A real module would block in epoll/poll with a timeout of (deadline - now) and read
 * channel events from the PBX. To run anywhere in a few milliseconds, this one plays
 * the PBX itself on a virtual clock: callers dial in, listen to the menu, press keys
 * and hang up; agents' phones answer a while after they ring.
 *
 * Build: cc -Wall -Wextra pbx_module.c $(pkg-config --cflags --libs callroute) */
#include "callroute.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CENTER =
    "[[queues]]\nid = 1\nname = \"support\"\nstrategy = \"longest-idle\"\n"
    "[[agents]]\nid = 7\nqueues = [1]\n"
    "[[agents]]\nid = 8\nqueues = [1]\n"
    "[ivr.prompts]\n"
    "welcome = { en = [ { text = \"Welcome. For support press 1.\" } ] }\n"
    "[ivr.entry]\ndnis = { \"800\" = \"main\" }\n"
    "[ivr.flows.main]\nstart = \"menu\"\n"
    "[ivr.flows.main.nodes.menu]\ntype = \"menu\"\ngreeting = \"welcome\"\n"
    "options = { \"1\" = \"support\" }\non_failure = \"bye\"\n"
    "[ivr.flows.main.nodes.support]\ntype = \"queue\"\nqueue = 1\n"
    "[ivr.flows.main.nodes.bye]\ntype = \"hangup\"\n";

/* One thing the PBX will report at a time: a typed input, or a new call (JSON). */
typedef struct {
    uint64_t at;
    CallrouteInput input;
    const char *offer_json; /* non-NULL: a call-offered input */
} PbxEvent;

#define MAX_EVENTS 64
static PbxEvent pending[MAX_EVENTS];
static int n_pending;

static void schedule(uint64_t at, CallrouteInput input, const char *offer_json) {
    if (n_pending == MAX_EVENTS) {
        fprintf(stderr, "event queue full\n");
        exit(1);
    }
    PbxEvent e = {.at = at, .input = input, .offer_json = offer_json};
    pending[n_pending++] = e;
}

/* Removes and returns the earliest PBX event (ties in scheduling order). */
static int take_earliest(PbxEvent *out) {
    if (n_pending == 0) return 0;
    int best = 0;
    for (int i = 1; i < n_pending; i++)
        if (pending[i].at < pending[best].at) best = i;
    *out = pending[best];
    for (int i = best; i + 1 < n_pending; i++) pending[i] = pending[i + 1];
    n_pending--;
    return 1;
}

static CallrouteInput typed(CallrouteInputKind kind, uint64_t call, uint32_t agent, char digit) {
    CallrouteInput input = {.kind = kind, .call = call, .agent = agent, .digit = digit};
    return input;
}

static int check(CallrouteStatus status, const char *what) {
    if (status != CALLROUTE_OK) fprintf(stderr, "%s: error %d: %s\n", what, status, callroute_last_error());
    return status == CALLROUTE_OK;
}

/* Carries out the engine's actions: the PBX side of the contract. */
static void dispatch(CallrouteEngine *engine, uint64_t now, int *calls_ended) {
    CallrouteOutput out;
    while (check(callroute_engine_poll(engine, &out), "poll") && out.kind != CALLROUTE_OUTPUT_KIND_NONE) {
        switch (out.kind) {
        case CALLROUTE_OUTPUT_KIND_PLAY:
            printf("%6" PRIu64 " ms  call %" PRIu64 ": play prompt\n", now, out.call);
            schedule(now + 3000, typed(CALLROUTE_INPUT_KIND_PROMPT_FINISHED, out.call, 0, 0), NULL);
            break;
        case CALLROUTE_OUTPUT_KIND_RING_AGENT:
            printf("%6" PRIu64 " ms  call %" PRIu64 ": ring agent %" PRIu32 "\n", now, out.call, out.agent);
            schedule(now + 2000, typed(CALLROUTE_INPUT_KIND_DEVICE_ANSWERED, out.call, out.agent, 0), NULL);
            break;
        case CALLROUTE_OUTPUT_KIND_CONNECT:
            printf("%6" PRIu64 " ms  call %" PRIu64 ": bridge to agent %" PRIu32 "\n", now, out.call, out.agent);
            schedule(now + 45000, typed(CALLROUTE_INPUT_KIND_CALLER_HANG_UP, out.call, 0, 0), NULL);
            break;
        case CALLROUTE_OUTPUT_KIND_START_MUSIC_ON_HOLD:
            printf("%6" PRIu64 " ms  call %" PRIu64 ": music on hold\n", now, out.call);
            break;
        case CALLROUTE_OUTPUT_KIND_EVENT: {
            /* Observers would publish these; the example only counts finished calls. */
            char *json = NULL;
            if (check(callroute_engine_output_json(engine, &json), "output") && json) {
                if (strstr(json, "\"event\":\"call-ended\"")) {
                    printf("%6" PRIu64 " ms  %s\n", now, json);
                    (*calls_ended)++;
                }
            }
            callroute_string_free(json);
            break;
        }
        default:
            break;
        }
    }
}

int main(void) {
    CallrouteEngine *engine = NULL;
    if (!check(callroute_engine_new(CENTER, CALLROUTE_CONFIG_FORMAT_TOML, 42, &engine), "engine")) return 1;

    /* The shift starts: both agents log in and are ready. Two callers dial 800. */
    for (uint32_t agent = 7; agent <= 8; agent++) {
        schedule(0, typed(CALLROUTE_INPUT_KIND_LOGIN, 0, agent, 0), NULL);
        schedule(0, typed(CALLROUTE_INPUT_KIND_READY, 0, agent, 0), NULL);
    }
    schedule(1000, typed(0, 1, 0, 0), "{\"type\":\"call-offered\",\"call\":1,\"ani\":\"+15550001\",\"dnis\":\"800\"}");
    schedule(5000, typed(CALLROUTE_INPUT_KIND_DTMF, 1, 0, '1'), NULL);
    schedule(2000, typed(0, 2, 0, 0), "{\"type\":\"call-offered\",\"call\":2,\"ani\":\"+15550002\",\"dnis\":\"800\"}");
    schedule(6000, typed(CALLROUTE_INPUT_KIND_DTMF, 2, 0, '1'), NULL);

    uint64_t now = 0;
    int calls_ended = 0, ok = 1;
    while (ok && calls_ended < 2) {
        /* Wait for whichever comes first: the next PBX event or the engine's deadline. */
        bool has_deadline = false;
        uint64_t deadline = 0;
        ok = check(callroute_engine_next_deadline(engine, &has_deadline, &deadline), "deadline");
        PbxEvent event;
        int has_event = take_earliest(&event);
        if (has_deadline && (!has_event || deadline < event.at)) {
            if (has_event) schedule(event.at, event.input, event.offer_json);
            now = deadline > now ? deadline : now;
            ok = check(callroute_engine_handle_timeout(engine, now), "timeout");
        } else if (has_event) {
            now = event.at > now ? event.at : now;
            ok = event.offer_json ? check(callroute_engine_handle_input_json(engine, now, event.offer_json), "offer")
                                  : check(callroute_engine_handle_input(engine, now, &event.input), "input");
        } else {
            break;
        }
        dispatch(engine, now, &calls_ended);
    }
    callroute_engine_free(engine);
    printf("%d calls handled\n", calls_ended);
    return ok && calls_ended == 2 ? 0 : 1;
}
