// Package contract is the wire contract between the operator and `manager seed`: the Spec the
// seeding Job reads (as JSON in SpecEnv), its flags and command line (Args), the Summary it leaves
// in the termination message, and the shell script of the schema Job. It imports neither the API
// types nor a database driver, so the operator can import it cheaply.
package contract
