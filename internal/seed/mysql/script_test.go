package mysql

import (
	"reflect"
	"strings"
	"testing"
)

func TestStatements(t *testing.T) {
	script := "-- a dump\n/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE `a;b` (x varchar(5) DEFAULT 'x;y', note text COMMENT 'it''s; \\' ok');\n" +
		"# comment; with a semicolon\n/* block; comment */\nDELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 'z'; END ;;\nDELIMITER ;\nINSERT INTO a VALUES (1);\n"
	got := Statements(script)
	want := []string{"/*!40101 SET NAMES utf8mb4 */", "CREATE TABLE `a;b` (x varchar(5) DEFAULT 'x;y', note text COMMENT 'it''s; \\' ok')",
		"CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 'z'; END", "INSERT INTO a VALUES (1)"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Statements =\n%q\nwant\n%q", got, want)
	}
}

func TestPgClause(t *testing.T) {
	for in, want := range map[string]string{
		"(`price` > 0)": `("price" > 0)`,
		"`status` in (_utf8mb4'active',_utf8mb4'closed')": `"status" in ('active','closed')`,
		"`code` regexp '^[a-z]+$'":                        `"code" ~ '^[a-z]+$'`,
		"`note` <> 'it\\'s'":                              `"note" <> 'it''s'`,
		"`a` <=> `b`":                                     `"a"  IS NOT DISTINCT FROM  "b"`,
	} {
		if got := pgClause(in); got != want {
			t.Errorf("pgClause(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzStatements: splitting any script terminates, and a script's statements are its text
// (outside comments) in order.
func FuzzStatements(f *testing.F) {
	for _, s := range []string{"a;b", "DELIMITER $$\nx $$", "'unterminated", "`a;", "/*", "-- x\ny;", "DELIMITER\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		for _, s := range Statements(script) {
			if strings.TrimSpace(s) == "" {
				t.Fatalf("empty statement from %q", script)
			}
		}
		_ = pgClause(script)
	})
}

func TestCreatedTables(t *testing.T) {
	script := "CREATE TABLE `Users` (id int);\nCREATE TABLE IF NOT EXISTS app.orders (id int);\nCREATE TEMPORARY TABLE tmp (x int);\n" +
		"-- CREATE TABLE commented (x int);\nCREATE TABLE gone (x int);\nDROP TABLE IF EXISTS `gone`, other;\nCREATE VIEW v AS SELECT 1;\n"
	if got, want := CreatedTables(script), []string{"users", "orders"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("CreatedTables = %q, want %q", got, want)
	}
}
