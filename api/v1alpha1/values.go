package v1alpha1

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Duration is a Go duration string ("48h", "90m"). It is a string in Go, not a
// metav1.Duration, on purpose: a value that does not parse (a TTL that overflows int64, say)
// must fail for the one environment that carries it, in a condition, and never make a whole
// list of MirrorEnvironments undecodable in the operator's cache. The schema bounds it to at most
// three components of at most six digits, so that no value the API server accepts can overflow.
//
// +kubebuilder:validation:Type=string
// +kubebuilder:validation:MaxLength=48
// +kubebuilder:validation:Pattern=`^([0-9]{1,6}(\.[0-9]{1,9})?(ns|us|ms|s|m|h)){1,3}$`
type Duration string

// Parse returns the duration, or an error naming the value.
func (d Duration) Parse() (time.Duration, error) {
	if len(d) > 48 {
		return 0, fmt.Errorf("duration %.48q… is longer than 48 characters", string(d))
	}
	v, err := time.ParseDuration(string(d))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 48h or 90m: %w", string(d), err)
	}
	return v, nil
}

// Quantity is a Kubernetes quantity ("512Mi", "250m", "10Gi") in plain notation. It is a
// string in Go, not a resource.Quantity, on purpose: resource.Quantity accepts exponents
// ("1E+999999999") whose arithmetic takes unbounded time and memory, in the operator and in the
// API server's CEL alike. The schema admits only plain decimal numbers of bounded length with a
// unit suffix, which Parse turns into a resource.Quantity cheaply.
//
// A quantity is greater than 0 (every use is a size or a cap) and at most 1Pi, which keeps its
// arithmetic within int64. The rule checks the pattern again before it calls quantity(): the API
// server evaluates rules even where the pattern failed, and comparing "1E+999999999" outlasts
// its request timeout.
//
// +kubebuilder:validation:Type=string
// +kubebuilder:validation:MaxLength=32
// +kubebuilder:validation:Pattern=`^[0-9]{1,15}(\.[0-9]{1,9})?(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$`
// +kubebuilder:validation:XValidation:rule="!self.matches('^[0-9]{1,15}([.][0-9]{1,9})?(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$') || (quantity(self).isGreaterThan(quantity('0')) && quantity(self).compareTo(quantity('1Pi')) <= 0)",message="a quantity is greater than 0 and at most 1Pi"
type Quantity string

// maxQuantityLen bounds what Parse will hand to resource.ParseQuantity.
const maxQuantityLen = 32

// Parse returns the quantity. It refuses exponent notation and over-long values before parsing,
// so that a value that slipped past admission (an older CRD, a direct etcd write) cannot cost
// more than a few microseconds.
func (q Quantity) Parse() (resource.Quantity, error) {
	s := string(q)
	if len(s) == 0 || len(s) > maxQuantityLen {
		return resource.Quantity{}, fmt.Errorf("quantity %.32q is empty or longer than %d characters", s, maxQuantityLen)
	}
	if strings.ContainsAny(s, "eE") {
		return resource.Quantity{}, fmt.Errorf("quantity %q uses exponent notation or the exa suffix; write it with a smaller unit, e.g. 10Gi", s)
	}
	v, err := resource.ParseQuantity(s)
	if err != nil {
		return resource.Quantity{}, fmt.Errorf("%q is not a quantity such as 512Mi or 250m: %w", s, err)
	}
	if v.Sign() <= 0 || v.Cmp(maxQuantity) > 0 {
		return resource.Quantity{}, fmt.Errorf("quantity %q is not greater than 0 and at most 1Pi", s)
	}
	return v, nil
}

// maxQuantity is the largest quantity the API admits.
var maxQuantity = resource.MustParse("1Pi")

// Fraction is a decimal fraction in (0, 1], such as "0.01".
//
// +kubebuilder:validation:Type=string
// +kubebuilder:validation:MaxLength=12
// +kubebuilder:validation:Pattern=`^(0\.[0-9]{1,9}|1(\.0{1,9})?)$`
// +kubebuilder:validation:XValidation:rule="double(self) > 0.0",message="the fraction must be greater than 0"
type Fraction string

// Parse returns the fraction as a float64 in (0, 1].
func (f Fraction) Parse() (float64, error) {
	v, err := strconv.ParseFloat(string(f), 64)
	if err != nil || v <= 0 || v > 1 {
		return 0, fmt.Errorf("%q is not a fraction in (0, 1] such as 0.01", string(f))
	}
	return v, nil
}
