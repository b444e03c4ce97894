/* Replays the shared golden scenarios (tests/golden) through the C interface and
 * compares every drained output array, as parsed JSON, with the expected file.
 * Usage: golden SCENARIO_DIR... */
#include "callroute.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)len + 1);
    size_t got = fread(text, 1, (size_t)len, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

/* The next non-empty line of *cursor, NUL-terminated in place, or NULL at the end. */
static char *next_line(char **cursor) {
    while (**cursor == '\n') (*cursor)++;
    if (**cursor == '\0') return NULL;
    char *line = *cursor;
    char *end = strchr(line, '\n');
    if (end) {
        *end = '\0';
        *cursor = end + 1;
    } else {
        *cursor = line + strlen(line);
    }
    return line;
}

/* The outputs after one entry: the drained array, or {"error": code}. */
static json_t *apply(CallrouteEngine *engine, const char *entry) {
    CallrouteStatus status = callroute_engine_apply_entry_json(engine, entry);
    if (status != CALLROUTE_OK) return json_pack("{s:i}", "error", status);
    char *drained = NULL;
    if (callroute_engine_drain_json(engine, &drained) != CALLROUTE_OK) {
        fprintf(stderr, "drain failed: %s\n", callroute_last_error());
        exit(2);
    }
    json_error_t error;
    json_t *outputs = json_loads(drained, 0, &error);
    callroute_string_free(drained);
    return outputs;
}

static int replay(const char *dir) {
    char *config = read_file(dir, "config.toml");
    char *inputs = read_file(dir, "inputs.jsonl");
    char *expected = read_file(dir, "expected.jsonl");
    CallrouteEngine *engine = NULL;
    int failures = 0;
    if (callroute_engine_new(config, CALLROUTE_CONFIG_FORMAT_TOML, 1, &engine) != CALLROUTE_OK) {
        fprintf(stderr, "%s: %s\n", dir, callroute_last_error());
        failures = 1;
    }
    char *in_cursor = inputs, *ex_cursor = expected;
    char *entry, *want_text;
    int line = 0;
    while (engine && (entry = next_line(&in_cursor)) != NULL) {
        line++;
        want_text = next_line(&ex_cursor);
        json_error_t error;
        json_t *want = want_text ? json_loads(want_text, 0, &error) : NULL;
        json_t *got = apply(engine, entry);
        if (!want || !got || !json_equal(want, got)) {
            char *shown = got ? json_dumps(got, JSON_COMPACT) : NULL;
            fprintf(stderr, "%s line %d:\n  expected %s\n  got      %s\n", dir, line,
                    want_text ? want_text : "(nothing)", shown ? shown : "(nothing)");
            free(shown);
            failures++;
        }
        json_decref(want);
        json_decref(got);
    }
    if (engine && next_line(&ex_cursor) != NULL) {
        fprintf(stderr, "%s: expected.jsonl has more lines than inputs.jsonl\n", dir);
        failures++;
    }
    callroute_engine_free(engine);
    free(config);
    free(inputs);
    free(expected);
    printf("%s %s (%d entries)\n", failures ? "FAIL" : "ok  ", dir, line);
    return failures;
}

int main(int argc, char **argv) {
    int failed = 0;
    for (int i = 1; i < argc; i++) failed += replay(argv[i]) != 0;
    printf("%d passed, %d failed\n", argc - 1 - failed, failed);
    return failed != 0 || argc < 2;
}
