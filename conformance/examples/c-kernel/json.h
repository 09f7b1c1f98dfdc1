/*
 * A minimal JSON reader for the request lines of hipc-kernel/1: enough for the
 * fixed, flat message shapes of conformance/PROTOCOL.md, not a general parser.
 *
 * Limits (documented in README.md):
 *  - one line at a time, parsed in place (strings are unescaped inside the line);
 *  - at most JSON_MAX_NODES values per line (the largest requests: a map_memory
 *    in the fill form with 64 patches, the most the runner sends, needs about
 *    210; a reply_and_receive with 65 handles about 80);
 *  - numbers: integers only (no fraction, no exponent), magnitude up to 2^64-1,
 *    with a sign flag; the protocol sends nothing else;
 *  - string escapes: \" \\ \/ \b \f \n \r \t; \uXXXX becomes '?' (the protocol's
 *    strings are ASCII names and hex);
 *  - no duplicate-key detection (the first key wins).
 */
#ifndef HIPC_JSON_H
#define HIPC_JSON_H

#include <stdint.h>
#include <string.h>

#define JSON_MAX_NODES 512

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json_node {
    enum json_type type;
    int neg;          /* J_NUM: negative */
    uint64_t num;     /* J_NUM: magnitude; J_BOOL: 0 or 1 */
    char *str;        /* J_STR: the unescaped string (NUL-terminated) */
    const char *key;  /* member of an object: its key */
    int child;        /* J_ARR, J_OBJ: first element, or -1 */
    int next;         /* next sibling, or -1 */
};

struct json_doc {
    struct json_node nodes[JSON_MAX_NODES];
    int count;
    const char *error;
};

static void json_ws(char **p) {
    while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n') (*p)++;
}

static int json_new(struct json_doc *d) {
    if (d->count >= JSON_MAX_NODES) {
        d->error = "too many JSON values in one line";
        return -1;
    }
    struct json_node *n = &d->nodes[d->count];
    memset(n, 0, sizeof *n);
    n->child = n->next = -1;
    return d->count++;
}

/* Parses a string at *p (which points at the opening quote), in place. */
static char *json_string(struct json_doc *d, char **p) {
    char *out = ++(*p), *start = out;
    for (;;) {
        char c = **p;
        if (c == '\0') {
            d->error = "unterminated string";
            return NULL;
        }
        (*p)++;
        if (c == '"') break;
        if (c == '\\') {
            char e = **p;
            (*p)++;
            switch (e) {
            case '"': case '\\': case '/': *out++ = e; break;
            case 'b': *out++ = '\b'; break;
            case 'f': *out++ = '\f'; break;
            case 'n': *out++ = '\n'; break;
            case 'r': *out++ = '\r'; break;
            case 't': *out++ = '\t'; break;
            case 'u':
                for (int i = 0; i < 4; i++) {
                    if (**p == '\0') {
                        d->error = "bad \\u escape";
                        return NULL;
                    }
                    (*p)++;
                }
                *out++ = '?';
                break;
            default:
                d->error = "bad escape";
                return NULL;
            }
        } else {
            *out++ = c;
        }
    }
    *out = '\0';
    return start;
}

static int json_value(struct json_doc *d, char **p, int depth);

static int json_container(struct json_doc *d, char **p, int depth, int object) {
    int self = json_new(d);
    if (self < 0) return -1;
    d->nodes[self].type = object ? J_OBJ : J_ARR;
    (*p)++;
    json_ws(p);
    char close = object ? '}' : ']';
    if (**p == close) {
        (*p)++;
        return self;
    }
    int last = -1;
    for (;;) {
        const char *key = NULL;
        json_ws(p);
        if (object) {
            if (**p != '"') {
                d->error = "expected a key";
                return -1;
            }
            key = json_string(d, p);
            if (!key) return -1;
            json_ws(p);
            if (**p != ':') {
                d->error = "expected ':'";
                return -1;
            }
            (*p)++;
        }
        int item = json_value(d, p, depth + 1);
        if (item < 0) return -1;
        d->nodes[item].key = key;
        if (last < 0)
            d->nodes[self].child = item;
        else
            d->nodes[last].next = item;
        last = item;
        json_ws(p);
        if (**p == ',') {
            (*p)++;
            continue;
        }
        if (**p == close) {
            (*p)++;
            return self;
        }
        d->error = object ? "expected ',' or '}'" : "expected ',' or ']'";
        return -1;
    }
}

static int json_value(struct json_doc *d, char **p, int depth) {
    if (depth > 16) {
        d->error = "nested too deeply";
        return -1;
    }
    json_ws(p);
    char c = **p;
    if (c == '{' || c == '[') return json_container(d, p, depth, c == '{');
    int self = json_new(d);
    if (self < 0) return -1;
    struct json_node *n = &d->nodes[self];
    if (c == '"') {
        n->type = J_STR;
        n->str = json_string(d, p);
        return n->str ? self : -1;
    }
    if (strncmp(*p, "null", 4) == 0) {
        n->type = J_NULL;
        *p += 4;
        return self;
    }
    if (strncmp(*p, "true", 4) == 0) {
        n->type = J_BOOL;
        n->num = 1;
        *p += 4;
        return self;
    }
    if (strncmp(*p, "false", 5) == 0) {
        n->type = J_BOOL;
        *p += 5;
        return self;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        n->type = J_NUM;
        if (c == '-') {
            n->neg = 1;
            (*p)++;
        }
        if (**p < '0' || **p > '9') {
            d->error = "bad number";
            return -1;
        }
        while (**p >= '0' && **p <= '9') {
            uint64_t digit = (uint64_t)(**p - '0');
            if (n->num > (UINT64_MAX - digit) / 10) {
                d->error = "number out of range";
                return -1;
            }
            n->num = n->num * 10 + digit;
            (*p)++;
        }
        if (**p == '.' || **p == 'e' || **p == 'E') {
            d->error = "only integers are supported";
            return -1;
        }
        return self;
    }
    d->error = "unexpected character";
    return -1;
}

/* Parses a whole line; returns the root node index, or -1 with d->error set. */
static int json_parse(struct json_doc *d, char *line) {
    d->count = 0;
    d->error = NULL;
    char *p = line;
    int root = json_value(d, &p, 0);
    if (root < 0) return -1;
    json_ws(&p);
    if (*p != '\0') {
        d->error = "trailing characters";
        return -1;
    }
    return root;
}

/* The member `key` of object node `obj`, or NULL. */
static struct json_node *json_get(struct json_doc *d, int obj, const char *key) {
    if (obj < 0 || d->nodes[obj].type != J_OBJ) return NULL;
    for (int i = d->nodes[obj].child; i >= 0; i = d->nodes[i].next)
        if (strcmp(d->nodes[i].key, key) == 0) return &d->nodes[i];
    return NULL;
}

#endif
