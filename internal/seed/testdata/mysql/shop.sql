-- A shop on MySQL/MariaDB, as mysqldump writes schemas: keys, foreign keys (a cycle among
-- them), CHECKs, ENUM and SET, JSON, generated columns, spatial points, blobs, bits, years.
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;

CREATE TABLE `customer` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `email` varchar(120) NOT NULL,
  `first_name` varchar(60) NOT NULL,
  `last_name` varchar(60) NOT NULL,
  `status` enum('active','suspended','closed') NOT NULL DEFAULT 'active',
  `flags` set('vip','newsletter','beta') DEFAULT NULL,
  `is_admin` tinyint(1) NOT NULL DEFAULT 0,
  `born_year` year DEFAULT NULL,
  `default_address_id` int unsigned DEFAULT NULL,
  `profile` json DEFAULT NULL,
  `avatar` blob,
  `created_at` datetime NOT NULL,
  `updated_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `customer_email` (`email`),
  CONSTRAINT `customer_names` CHECK (char_length(`first_name`) > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `address` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `customer_id` int unsigned NOT NULL,
  `city` varchar(80) NOT NULL,
  `postcode` char(5) NOT NULL,
  `location` point DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `address_customer` (`customer_id`),
  CONSTRAINT `address_customer_fk` FOREIGN KEY (`customer_id`) REFERENCES `customer` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE `customer` ADD CONSTRAINT `customer_default_address_fk` FOREIGN KEY (`default_address_id`) REFERENCES `address` (`id`);

CREATE TABLE `product` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `sku` varchar(32) NOT NULL,
  `name` varchar(200) NOT NULL,
  `price` decimal(10,2) NOT NULL,
  `discount` decimal(5,2) NOT NULL DEFAULT 0.00,
  `final_price` decimal(10,2) GENERATED ALWAYS AS (`price` - `discount`) STORED,
  `attributes` longtext CHECK (json_valid(`attributes`)),
  `active_bits` bit(4) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `product_sku` (`sku`),
  CONSTRAINT `product_price` CHECK (`price` > 0 and `price` < 10000),
  CONSTRAINT `product_discount` CHECK (`discount` >= 0 and `discount` <= 50)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `orders` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `customer_id` int unsigned NOT NULL,
  `shipping_address_id` int unsigned DEFAULT NULL,
  `state` enum('cart','paid','shipped','cancelled') NOT NULL,
  `placed_at` datetime NOT NULL,
  `shipped_at` datetime DEFAULT NULL,
  `note` text,
  PRIMARY KEY (`id`),
  CONSTRAINT `orders_customer_fk` FOREIGN KEY (`customer_id`) REFERENCES `customer` (`id`),
  CONSTRAINT `orders_address_fk` FOREIGN KEY (`shipping_address_id`) REFERENCES `address` (`id`),
  CONSTRAINT `orders_shipped_after` CHECK (`shipped_at` is null or `shipped_at` >= `placed_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `order_item` (
  `order_id` bigint NOT NULL,
  `product_id` bigint NOT NULL,
  `quantity` smallint unsigned NOT NULL,
  `unit_price` decimal(10,2) NOT NULL,
  PRIMARY KEY (`order_id`,`product_id`),
  CONSTRAINT `item_order_fk` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`),
  CONSTRAINT `item_product_fk` FOREIGN KEY (`product_id`) REFERENCES `product` (`id`),
  CONSTRAINT `item_quantity` CHECK (`quantity` between 1 and 20)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
