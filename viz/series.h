// Building blocks of the live plots that need neither Qt nor LibTorch: the smoothing of noisy
// training curves and a bounded-size picture of a series that keeps growing.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace gode {

// Exponential moving average with bias correction. After values x_1..x_n it returns
//   m_n / (1 - beta^n),  where m_0 = 0 and m_i = beta m_{i-1} + (1 - beta) x_i,
// so early values are not pulled towards 0. beta = 0 returns the raw values. Non-finite values
// (a diverging loss) are skipped so that one of them does not poison the rest of the curve.
class ExponentialMovingAverage {
  public:
    explicit ExponentialMovingAverage(double beta = 0.0);

    double beta() const { return beta_; }

    // Adds x and returns the smoothed value; before the first finite value it returns x.
    double add(double x);
    void reset();

  private:
    double beta_;
    double average_ = 0.0;
    double betaPower_ = 1.0;  // beta^n for the n finite values seen so far
};

// Keeps at most `maxBuckets` buckets of consecutive points of a series whose x never decreases.
// Each bucket remembers its lowest and highest point; when the buckets run out, neighbours are
// merged in pairs, so appending stays O(1) amortised and drawing costs O(maxBuckets) whatever
// the length of the series. Spikes survive decimation because extremes are never averaged away.
class DecimatedSeries {
  public:
    explicit DecimatedSeries(std::size_t maxBuckets = 2048);

    // Non-finite y values count as points but are left out of the picture and the ranges.
    void append(double x, double y);
    void clear();

    std::size_t count() const { return count_; }            // points appended
    std::size_t bucketSize() const { return bucketSize_; }  // points per full bucket

    // The points to draw, in x order: the lowest and highest point of every bucket (one point
    // when they coincide). At most 2 * maxBuckets points.
    std::vector<std::pair<double, double>> points() const;

    // Ranges of the finite points, kept up to date on append (O(1) to read).
    bool hasRange() const { return finiteCount_ > 0; }
    double xMin() const { return xMin_; }
    double xMax() const { return xMax_; }
    double yMin() const { return yMin_; }
    double yMax() const { return yMax_; }
    // Smallest y > 0, for logarithmic axes; 0 when there is none.
    double yMinPositive() const { return yMinPositive_; }

  private:
    struct Bucket {
        std::size_t count = 0;
        double xLow = 0, yLow = 0;    // the lowest point
        double xHigh = 0, yHigh = 0;  // the highest point
        bool hasFinite = false;
    };

    void mergePairs();
    void updateRanges(double x, double y);

    std::size_t maxBuckets_;
    std::size_t bucketSize_ = 1;
    std::size_t count_ = 0;
    std::size_t finiteCount_ = 0;
    std::vector<Bucket> buckets_;
    double xMin_ = 0, xMax_ = 0, yMin_ = 0, yMax_ = 0, yMinPositive_ = 0;
};

}  // namespace gode
