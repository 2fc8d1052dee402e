// Classification metrics from predicted and true labels. Pure, so it is tested without tensors.
import type { ClassMetrics, TestMetrics } from '../../shared/events';

export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) m[actual[i]!]![predicted[i]!]!++;
  return m;
}

export function classificationMetrics(labels: string[], actual: ArrayLike<number>, predicted: ArrayLike<number>, loss: number): TestMetrics {
  const confusion = confusionMatrix(actual, predicted, labels.length);
  let correct = 0;
  const perClass: ClassMetrics[] = labels.map((label, c) => {
    const tp = confusion[c]![c]!;
    correct += tp;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedAsC = confusion.reduce((a, row) => a + row[c]!, 0);
    return { label, precision: predictedAsC ? tp / predictedAsC : 0, recall: support ? tp / support : 0, support };
  });
  return { loss, accuracy: actual.length ? correct / actual.length : 0, labels, perClass, confusion };
}
