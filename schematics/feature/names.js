import { strings } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The last word in the singular: invoices → invoice, categories → category, addresses → address. */
function singularOf(word) {
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/[^s]s$/.test(word)) return word.slice(0, -1);
  throw new SchematicsException(`Give the resource's name in the plural (invoices, not ${word}).`);
}

/** Every spelling of the resource the templates need, from its plural kebab-case name. */
export function names(name) {
  if (!KEBAB.test(name ?? ''))
    throw new SchematicsException(
      `"${name}" is not a plural kebab-case name such as invoices or purchase-orders.`,
    );
  const words = name.split('-');
  const singular = [...words.slice(0, -1), singularOf(words.at(-1))].join('-');
  return {
    /** invoices / purchase-orders: folder, file prefix, route, tag */
    plural: name,
    /** invoice / purchase-order */
    singular,
    /** Invoices / PurchaseOrders */
    Plural: strings.classify(name),
    /** Invoice / PurchaseOrder */
    Singular: strings.classify(singular),
    /** invoices / purchaseOrders */
    pluralCamel: strings.camelize(name),
    /** invoice / purchaseOrder */
    singularCamel: strings.camelize(singular),
    /** invoices / purchase_orders */
    table: strings.underscore(name),
    /** invoices / purchase orders */
    pluralWords: words.join(' '),
    /** invoice / purchase order */
    singularWords: singular.split('-').join(' '),
    /** INVOICE / PURCHASE_ORDER */
    CONSTANT: strings.underscore(singular).toUpperCase(),
  };
}
