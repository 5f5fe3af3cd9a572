// Verdicts of gojsonschema (Debian's golang-github-xeipuuv-gojsonschema-dev) on the schemas' corpus and on questions.
//
//	verdicts corpus CORPUS.json...   run golden corpus files (JSON-Schema-Test-Suite format); exit 1 on a wrong verdict
//	verdicts serve SCHEMA_DIR        load SCHEMA_DIR/bundled/<profile>/<variant>.json, print "ready N", then answer one
//	                                 JSON line {"schema": "<profile>/<variant>", "data": ...} per line: true, false or
//	                                 "error <message>"
//	verdicts sources SCHEMA_DIR      load every schema file of SCHEMA_DIR (schemas/, or what notify-schemas schemas
//	                                 export writes), each checked against draft-07's meta-schema, every $ref resolved
//	                                 among the files with the network refused, and judge the corpus through the source
//	                                 variants; exit 1 on a failure
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

type test struct {
	Description string      `json:"description"`
	Data        interface{} `json:"data"`
	Valid       bool        `json:"valid"`
}

type group struct {
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Tests       []test          `json:"tests"`
}

func compile(raw []byte) (*gojsonschema.Schema, error) {
	return gojsonschema.NewSchema(gojsonschema.NewBytesLoader(raw))
}

// judge validates each test's data with schema: how many got the expected verdict, and how many did not, each of
// those printed as a FAIL line under label.
func judge(schema *gojsonschema.Schema, tests []test, label string) (passed, failed int) {
	for _, t := range tests {
		result, err := schema.Validate(gojsonschema.NewGoLoader(t.Data))
		if err == nil && result.Valid() == t.Valid {
			passed++
			continue
		}
		failed++
		fmt.Printf("FAIL %s: %s: expected %v, error %v\n", label, t.Description, t.Valid, err)
	}
	return passed, failed
}

func corpus(files []string) int {
	passed, failed := 0, 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			fmt.Println("FAIL", err)
			return 1
		}
		var groups []group
		if err := json.Unmarshal(raw, &groups); err != nil {
			fmt.Println("FAIL", file, err)
			return 1
		}
		for _, g := range groups {
			schema, err := compile(g.Schema)
			if err != nil {
				fmt.Printf("FAIL %s: %s: schema does not compile: %v\n", file, g.Description, err)
				failed += len(g.Tests)
				continue
			}
			p, f := judge(schema, g.Tests, file+": "+g.Description)
			passed, failed = passed+p, failed+f
		}
	}
	fmt.Printf("gojsonschema: %d passed, %d failed\n", passed, failed)
	if failed == 0 && passed > 0 {
		return 0
	}
	return 1
}

func serve(dir string) int {
	schemas := map[string]*gojsonschema.Schema{}
	files, _ := filepath.Glob(filepath.Join(dir, "bundled", "*", "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err == nil {
			var schema *gojsonschema.Schema
			if schema, err = compile(raw); err == nil {
				name := filepath.Base(filepath.Dir(file)) + "/" + strings.TrimSuffix(filepath.Base(file), ".json")
				schemas[name] = schema
				continue
			}
		}
		fmt.Printf("error %s: %v\n", file, err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "ready %d\n", len(schemas))
	out.Flush()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	for in.Scan() {
		var question struct {
			Schema string          `json:"schema"`
			Data   json.RawMessage `json:"data"`
		}
		answer := ""
		if err := json.Unmarshal(in.Bytes(), &question); err != nil {
			answer = "error " + err.Error()
		} else if schema, ok := schemas[question.Schema]; !ok {
			answer = "error unknown schema " + question.Schema
		} else if result, err := schema.Validate(gojsonschema.NewBytesLoader(question.Data)); err != nil {
			answer = "error " + err.Error()
		} else {
			answer = fmt.Sprint(result.Valid())
		}
		fmt.Fprintln(out, answer)
		out.Flush()
	}
	return 0
}

type offline struct{}

func (offline) RoundTrip(request *http.Request) (*http.Response, error) {
	return nil, errors.New("offline: would fetch " + request.URL.String())
}

func sources(dir string) int {
	http.DefaultTransport = offline{} // gojsonschema fetches a $ref it cannot resolve with http.Get
	loader := gojsonschema.NewSchemaLoader()
	loader.Validate = true // each schema against its draft's meta-schema, which gojsonschema holds
	passed, failed := 0, 0
	ids := map[string]string{}
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		name, _ := filepath.Rel(dir, path)
		if err != nil || info.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, "corpus/") ||
			strings.HasPrefix(name, "asyncapi/") {
			return err
		}
		raw, err := os.ReadFile(path)
		var schema struct {
			ID string `json:"$id"`
		}
		if err == nil {
			err = json.Unmarshal(raw, &schema)
		}
		if err == nil {
			err = loader.AddSchemas(gojsonschema.NewBytesLoader(raw))
		}
		if err != nil {
			failed++
			fmt.Printf("FAIL %s: %v\n", name, err)
		} else {
			ids[name] = schema.ID
		}
		return nil
	})
	compiled := map[string]*gojsonschema.Schema{}
	for name, id := range ids {
		schema, err := loader.Compile(gojsonschema.NewReferenceLoader(id))
		if err != nil {
			failed++
			fmt.Printf("FAIL %s: does not compile offline: %v\n", name, err)
			continue
		}
		compiled[id] = schema
		passed++
	}
	for _, profile := range []string{"seed", "glance"} {
		raw, err := os.ReadFile(filepath.Join(dir, "corpus", profile+".json"))
		var groups []group
		if err == nil {
			err = json.Unmarshal(raw, &groups)
		}
		if err != nil {
			fmt.Println("FAIL", err)
			return 1
		}
		for _, g := range groups {
			var bundled struct {
				ID string `json:"$id"`
			}
			json.Unmarshal(g.Schema, &bundled)
			schema := compiled[strings.Replace(bundled.ID, "/bundled/", "/", 1)]
			if schema == nil {
				failed++
				fmt.Printf("FAIL %s: no source variant\n", g.Description)
				continue
			}
			p, f := judge(schema, g.Tests, g.Description)
			passed, failed = passed+p, failed+f
		}
	}
	fmt.Printf("gojsonschema sources: %d passed, %d failed\n", passed, failed)
	if failed == 0 && passed > 0 {
		return 0
	}
	return 1
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "sources" {
		os.Exit(sources(os.Args[2]))
	}
	if len(os.Args) > 2 && os.Args[1] == "corpus" {
		os.Exit(corpus(os.Args[2:]))
	}
	if len(os.Args) == 3 && os.Args[1] == "serve" {
		os.Exit(serve(os.Args[2]))
	}
	fmt.Fprintln(os.Stderr, "usage: verdicts corpus CORPUS.json... | verdicts serve SCHEMA_DIR | verdicts sources SCHEMA_DIR")
	os.Exit(2)
}
