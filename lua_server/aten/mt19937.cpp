// Torch7's random generator (lib/TH/THRandom.c: MT19937 plus the distributions drawn from
// it) in C, so that filling a tensor costs what it cost in Torch7. The state struct is
// Torch7's THGenerator on LP64 Linux byte for byte: torch.getRNGState() is its raw bytes.
// Every distribution draws in double in the same order of operations as THRandom.c, so
// streams are Torch7's bit for bit; float outputs are the double cast to float, as
// THTensor_(uniform) etc. store them.
#include <cmath>
#include <cstdint>

namespace {

constexpr int N = 624, M = 397;
constexpr uint64_t MATRIX_A = 0x9908b0dfUL, UMASK = 0x80000000UL, LMASK = 0x7fffffffUL;

uint64_t mix_bits(uint64_t u, uint64_t v) { return (u & UMASK) | (v & LMASK); }
uint64_t twist(uint64_t u, uint64_t v) {
  return (mix_bits(u, v) >> 1) ^ ((v & 1UL) ? MATRIX_A : 0UL);
}

}  // namespace

extern "C" {

struct lt_rng {
  uint64_t the_initial_seed;
  int32_t left;
  int32_t seeded;
  uint64_t next;
  uint64_t state[N];
  double normal_x, normal_y, normal_rho;
  int32_t normal_is_valid;
};

// THRandom_manualSeed: init_genrand on the seed's low 32 bits; drops the cached normal.
void lt_rng_seed(lt_rng* g, int64_t seed) {
  g->the_initial_seed = (uint64_t)seed;
  g->state[0] = g->the_initial_seed & 0xffffffffUL;
  for (int j = 1; j < N; j++) {
    g->state[j] = (1812433253UL * (g->state[j - 1] ^ (g->state[j - 1] >> 30)) + j);
    g->state[j] &= 0xffffffffUL;
  }
  g->left = 1;
  g->next = 0;
  g->seeded = 1;
  g->normal_x = g->normal_y = g->normal_rho = 0;
  g->normal_is_valid = 0;
}

static void next_state(lt_rng* g) {
  uint64_t* p = g->state;
  g->left = N;
  g->next = 0;
  int j;
  for (j = N - M + 1; --j; p++) *p = p[M] ^ twist(p[0], p[1]);
  for (j = M; --j; p++) *p = p[M - N] ^ twist(p[0], p[1]);
  *p = p[M - N] ^ twist(p[0], g->state[0]);
}

// THRandom_random: the next tempered 32-bit word
uint32_t lt_rng_word(lt_rng* g) {
  if (--(g->left) <= 0) next_state(g);
  uint64_t y = g->state[g->next++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680UL;
  y ^= (y << 15) & 0xefc60000UL;
  y ^= (y >> 18);
  return (uint32_t)y;
}

// __uniform__: one word / 2^32 (this Torch7 predates 53-bit doubles)
static double uniform01(lt_rng* g) { return lt_rng_word(g) * (1.0 / 4294967296.0); }

double lt_rng_uniform(lt_rng* g, double a, double b) { return uniform01(g) * (b - a) + a; }

// THRandom_normal: Box-Muller, the cosine branch first, the sine branch from the cache
double lt_rng_normal(lt_rng* g, double mean, double stdv) {
  if (!g->normal_is_valid) {
    g->normal_x = uniform01(g);
    g->normal_y = uniform01(g);
    g->normal_rho = std::sqrt(-2. * std::log(1. - g->normal_y));
    g->normal_is_valid = 1;
    return g->normal_rho * std::cos(2. * M_PI * g->normal_x) * stdv + mean;
  }
  g->normal_is_valid = 0;
  return g->normal_rho * std::sin(2. * M_PI * g->normal_x) * stdv + mean;
}

double lt_rng_exponential(lt_rng* g, double lambda) {
  return -1. / lambda * std::log(1 - uniform01(g));
}
double lt_rng_cauchy(lt_rng* g, double median, double sigma) {
  return median + sigma * std::tan(M_PI * (uniform01(g) - 0.5));
}
double lt_rng_log_normal(lt_rng* g, double mean, double stdv) {
  return std::exp(lt_rng_normal(g, mean, stdv));
}
double lt_rng_geometric(lt_rng* g, double p) {
  // (int) in Torch7; floor agrees for every value an int holds and stays defined beyond
  return std::floor(std::log(1 - uniform01(g)) / std::log(p)) + 1;
}
double lt_rng_bernoulli(lt_rng* g, double p) { return uniform01(g) <= p ? 1 : 0; }

}  // extern "C"

namespace {

enum { LT_UNIFORM, LT_NORMAL, LT_EXPONENTIAL, LT_CAUCHY, LT_LOG_NORMAL, LT_GEOMETRIC, LT_BERNOULLI };

// The uniform fill takes its words straight from the state array, a run at a time, with
// the tempering and the arithmetic of lt_rng_word and lt_rng_uniform: the loop has no call
// and no per-word regeneration check, so the compiler keeps it tight. The draw that must
// regenerate the state goes through lt_rng_uniform itself.
template <class T>
void fill_uniform(lt_rng* g, T* out, int64_t n, double a, double b) {
  const double width = b - a;
  int64_t i = 0;
  while (i < n) {
    int64_t run = (int64_t)g->left - 1;  // words lt_rng_word gives before it regenerates
    if (run <= 0) {
      out[i++] = (T)lt_rng_uniform(g, a, b);
      continue;
    }
    if (run > n - i) run = n - i;
    const uint64_t* words = g->state + g->next;
    T* dst = out + i;
    for (int64_t j = 0; j < run; j++) {
      uint64_t y = words[j];
      y ^= (y >> 11);
      y ^= (y << 7) & 0x9d2c5680UL;
      y ^= (y << 15) & 0xefc60000UL;
      y ^= (y >> 18);
      dst[j] = (T)((double)(uint32_t)y * (1.0 / 4294967296.0) * width + a);
    }
    g->left -= (int32_t)run;
    g->next += (uint64_t)run;
    i += run;
  }
}

template <class T>
void fill(lt_rng* g, int kind, T* out, int64_t n, double a, double b) {
  switch (kind) {
    case LT_UNIFORM: fill_uniform(g, out, n, a, b); break;
    case LT_NORMAL: for (int64_t i = 0; i < n; i++) out[i] = (T)lt_rng_normal(g, a, b); break;
    case LT_EXPONENTIAL: for (int64_t i = 0; i < n; i++) out[i] = (T)lt_rng_exponential(g, a); break;
    case LT_CAUCHY: for (int64_t i = 0; i < n; i++) out[i] = (T)lt_rng_cauchy(g, a, b); break;
    case LT_LOG_NORMAL: for (int64_t i = 0; i < n; i++) out[i] = (T)lt_rng_log_normal(g, a, b); break;
    case LT_GEOMETRIC: for (int64_t i = 0; i < n; i++) out[i] = (T)lt_rng_geometric(g, a); break;
    case LT_BERNOULLI: for (int64_t i = 0; i < n; i++) out[i] = (T)lt_rng_bernoulli(g, a); break;
  }
}

}  // namespace

extern "C" {

// n draws of distribution `kind` (parameters a, b) into a contiguous double or float array,
// in order: the same numbers as n scalar calls
void lt_rng_fill_double(lt_rng* g, int kind, double* out, int64_t n, double a, double b) {
  fill(g, kind, out, n, a, b);
}
void lt_rng_fill_float(lt_rng* g, int kind, float* out, int64_t n, double a, double b) {
  fill(g, kind, out, n, a, b);
}

}  // extern "C"
