#include "series.h"

#include <algorithm>
#include <cmath>

namespace gode {

ExponentialMovingAverage::ExponentialMovingAverage(double beta) : beta_(beta) {}

double ExponentialMovingAverage::add(double x) {
    if (!std::isfinite(x))
        return betaPower_ == 1.0 ? x : average_ / (1.0 - betaPower_);

    average_ = beta_ * average_ + (1.0 - beta_) * x;
    betaPower_ *= beta_;
    return average_ / (1.0 - betaPower_);
}

void ExponentialMovingAverage::reset() {
    average_ = 0.0;
    betaPower_ = 1.0;
}

// ---------------------------------------------------------------------------------------------

DecimatedSeries::DecimatedSeries(std::size_t maxBuckets)
    : maxBuckets_(std::max<std::size_t>(2, maxBuckets + maxBuckets % 2)) {
    buckets_.reserve(maxBuckets_);
}

void DecimatedSeries::append(double x, double y) {
    if (buckets_.empty() || buckets_.back().count == bucketSize_) {
        if (buckets_.size() == maxBuckets_)
            mergePairs();
        if (buckets_.empty() || buckets_.back().count == bucketSize_)
            buckets_.emplace_back();
    }

    Bucket& bucket = buckets_.back();
    ++bucket.count;
    ++count_;
    if (!std::isfinite(x) || !std::isfinite(y))
        return;

    if (!bucket.hasFinite || y < bucket.yLow) {
        bucket.xLow = x;
        bucket.yLow = y;
    }
    if (!bucket.hasFinite || y > bucket.yHigh) {
        bucket.xHigh = x;
        bucket.yHigh = y;
    }
    bucket.hasFinite = true;
    updateRanges(x, y);
}

void DecimatedSeries::clear() {
    buckets_.clear();
    bucketSize_ = 1;
    count_ = 0;
    finiteCount_ = 0;
}

std::vector<std::pair<double, double>> DecimatedSeries::points() const {
    std::vector<std::pair<double, double>> result;
    result.reserve(2 * buckets_.size());
    for (const Bucket& bucket : buckets_) {
        if (!bucket.hasFinite)
            continue;

        std::pair<double, double> low{bucket.xLow, bucket.yLow};
        std::pair<double, double> high{bucket.xHigh, bucket.yHigh};
        if (low == high) {
            result.push_back(low);
        } else if (bucket.xLow <= bucket.xHigh) {
            result.push_back(low);
            result.push_back(high);
        } else {
            result.push_back(high);
            result.push_back(low);
        }
    }
    return result;
}

// Halves the number of buckets; every bucket then holds twice as many points.
void DecimatedSeries::mergePairs() {
    std::vector<Bucket> merged;
    merged.reserve(maxBuckets_);
    for (std::size_t i = 0; i + 1 < buckets_.size(); i += 2) {
        const Bucket& first = buckets_[i];
        const Bucket& second = buckets_[i + 1];
        Bucket both = first.hasFinite ? first : second;
        both.count = first.count + second.count;
        if (first.hasFinite && second.hasFinite) {
            if (second.yLow < first.yLow) {
                both.xLow = second.xLow;
                both.yLow = second.yLow;
            }
            if (second.yHigh > first.yHigh) {
                both.xHigh = second.xHigh;
                both.yHigh = second.yHigh;
            }
        }
        merged.push_back(both);
    }
    buckets_ = std::move(merged);
    bucketSize_ *= 2;
}

void DecimatedSeries::updateRanges(double x, double y) {
    if (finiteCount_ == 0) {
        xMin_ = xMax_ = x;
        yMin_ = yMax_ = y;
        yMinPositive_ = y > 0 ? y : 0.0;
    } else {
        xMin_ = std::min(xMin_, x);
        xMax_ = std::max(xMax_, x);
        yMin_ = std::min(yMin_, y);
        yMax_ = std::max(yMax_, y);
        if (y > 0 && (yMinPositive_ == 0.0 || y < yMinPositive_))
            yMinPositive_ = y;
    }
    ++finiteCount_;
}

}  // namespace gode
